package sim

import (
	"strings"
	"time"
)

// modelSeries holds every series the model publishes, declared in New so
// that each is listed and reads as zero before its first sample.
type modelSeries struct {
	apiCount, api4xx, api5xx, apiLatency, apiIntegration *series

	fnInvocations, fnErrors, fnThrottles, fnDuration, fnConcurrent *series

	// the account's, without dimensions
	acInvocations, acErrors, acThrottles, acDuration, acConcurrent, acUnreserved *series

	// per table, in Config.DynamoDB.Tables order
	ddbConsumed, ddbProvisioned, ddbWriteThrottles, ddbThrottled, ddbLatency []*series
	// per-cause throttle events (the account's table-level limit is not
	// modelled: its series reads zero)
	ddbKeyRange, ddbMaxOnDemand, ddbAccountLimit []*series

	// the sim's own lateness (Brink/Sim, lateness.go)
	lateness, serviceTime *series
}

const (
	unitCount = "Count"
	unitMS    = "Milliseconds"
)

func (s *Sim) declareMetrics() {
	m, c := s.metrics, s.cfg
	api := []Dimension{{"ApiName", c.APIGateway.APIName}, {"Stage", c.APIGateway.Stage}}
	s.m.apiCount = m.declare(NSAPIGateway, "Count", unitCount, fillZero, api...)
	s.m.api4xx = m.declare(NSAPIGateway, "4XXError", unitCount, fillZero, api...)
	s.m.api5xx = m.declare(NSAPIGateway, "5XXError", unitCount, fillZero, api...)
	s.m.apiLatency = m.declare(NSAPIGateway, "Latency", unitMS, fillNone, api...)
	s.m.apiIntegration = m.declare(NSAPIGateway, "IntegrationLatency", unitMS, fillNone, api...)

	fn := Dimension{"FunctionName", c.Lambda.FunctionName}
	s.m.fnInvocations = m.declare(NSLambda, "Invocations", unitCount, fillZero, fn)
	s.m.fnErrors = m.declare(NSLambda, "Errors", unitCount, fillZero, fn)
	s.m.fnThrottles = m.declare(NSLambda, "Throttles", unitCount, fillZero, fn)
	s.m.fnDuration = m.declare(NSLambda, "Duration", unitMS, fillNone, fn)
	s.m.fnConcurrent = m.declare(NSLambda, "ConcurrentExecutions", unitCount, fillLast, fn)
	m.put(s.m.fnConcurrent, s.clock.Epoch, 0)
	s.m.acInvocations = m.declare(NSLambda, "Invocations", unitCount, fillZero)
	s.m.acErrors = m.declare(NSLambda, "Errors", unitCount, fillZero)
	s.m.acThrottles = m.declare(NSLambda, "Throttles", unitCount, fillZero)
	s.m.acDuration = m.declare(NSLambda, "Duration", unitMS, fillNone)
	s.m.acConcurrent = m.declare(NSLambda, "ConcurrentExecutions", unitCount, fillLast)
	s.m.acUnreserved = m.declare(NSLambda, "UnreservedConcurrentExecutions", unitCount, fillLast)
	m.put(s.m.acConcurrent, s.clock.Epoch, 0)
	m.put(s.m.acUnreserved, s.clock.Epoch, 0)

	for _, t := range s.tables {
		tn := Dimension{"TableName", t.conf.Name}
		op := Dimension{"Operation", "PutItem"}
		s.m.ddbConsumed = append(s.m.ddbConsumed, m.declare(NSDynamoDB, "ConsumedWriteCapacityUnits", unitCount, fillZero, tn))
		var prov *series
		if c.DynamoDB.Mode == Provisioned { // on-demand tables publish no provisioned capacity
			prov = m.declare(NSDynamoDB, "ProvisionedWriteCapacityUnits", unitCount, fillLast, tn)
			m.put(prov, s.clock.Epoch, t.conf.WriteCapacity)
		}
		s.m.ddbProvisioned = append(s.m.ddbProvisioned, prov)
		s.m.ddbWriteThrottles = append(s.m.ddbWriteThrottles, m.declare(NSDynamoDB, "WriteThrottleEvents", unitCount, fillZero, tn))
		s.m.ddbKeyRange = append(s.m.ddbKeyRange, m.declare(NSDynamoDB, "WriteKeyRangeThroughputThrottleEvents", unitCount, fillZero, tn))
		s.m.ddbMaxOnDemand = append(s.m.ddbMaxOnDemand, m.declare(NSDynamoDB, "WriteMaxOnDemandThroughputThrottleEvents", unitCount, fillZero, tn))
		s.m.ddbAccountLimit = append(s.m.ddbAccountLimit, m.declare(NSDynamoDB, "WriteAccountLimitThrottleEvents", unitCount, fillZero, tn))
		s.m.ddbThrottled = append(s.m.ddbThrottled, m.declare(NSDynamoDB, "ThrottledRequests", unitCount, fillZero, tn, op))
		s.m.ddbLatency = append(s.m.ddbLatency, m.declare(NSDynamoDB, "SuccessfulRequestLatency", unitMS, fillNone, tn, op))
	}

	for _, md := range s.models {
		mid := Dimension{"ModelId", md.conf.ModelID}
		md.invocations = m.declare(NSBedrock, "Invocations", unitCount, fillZero, mid)
		md.latency = m.declare(NSBedrock, "InvocationLatency", unitMS, fillNone, mid)
		md.throttles = m.declare(NSBedrock, "InvocationThrottles", unitCount, fillZero, mid)
		md.clientErrors = m.declare(NSBedrock, "InvocationClientErrors", unitCount, fillZero, mid)
		md.serverErrors = m.declare(NSBedrock, "InvocationServerErrors", unitCount, fillZero, mid)
		md.inputTokens = m.declare(NSBedrock, "InputTokenCount", unitCount, fillZero, mid)
		md.outputTokens = m.declare(NSBedrock, "OutputTokenCount", unitCount, fillZero, mid)
		md.ttft = m.declare(NSBedrock, "TimeToFirstToken", unitMS, fillNone, mid)
	}
	if !c.CloudWatch.HighResolution {
		m.standardResolution()
	}
	s.declareSelf() // after: its series stay at 1 second
}

// standardResolution stores the series as AWS publishes them: 1-minute
// data, DynamoDB's provisioned capacity 5-minute data.
func (m *metrics) standardResolution() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sr := range m.order {
		sr.res = 60
		if sr.id.Namespace == NSDynamoDB && strings.HasPrefix(sr.id.Name, "Provisioned") {
			sr.res = 300
		}
	}
}

// concurrency publishes the function's (and so the account's) concurrent
// executions; in the unreserved pool they are unreserved ones too.
func (s *Sim) concurrency(t time.Time, n float64) {
	s.record(s.m.fnConcurrent, t, n)
	s.record(s.m.acConcurrent, t, n)
	if !s.cfg.Lambda.Reserved {
		s.record(s.m.acUnreserved, t, n)
	}
}

// record puts one sample in scenario time.
func (s *Sim) record(sr *series, t time.Time, v float64) { s.metrics.put(sr, t, v) }
