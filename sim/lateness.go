package sim

import "time"

// NSBrinkSim is the namespace of the sim's own self-measurement: not a
// model of AWS but the sim checking itself, served beside the modelled
// metrics so brink collect brings it into the run.
const NSBrinkSim = "Brink/Sim"

// Self-measurement metric names (NSBrinkSim, no dimensions).
const (
	// MetricLateness is how much later a conversation turn's handler really
	// finished than the model says it should have: real minus modelled, in
	// scenario ms, recorded at the turn's arrival. A sim whose process is
	// starved (a busy host, a GC stall) answers late, and every latency it
	// serves includes that delay.
	MetricLateness = "Lateness"
	// MetricServiceTime is the turn's modelled service time (scenario ms):
	// what the lateness is judged against.
	MetricServiceTime = "ServiceTime"
)

// declareSelf declares the self-measurement series. They are custom
// metrics stored at 1 second (as PutMetricData's StorageResolution 1
// keeps them) whatever cloudwatch.high_resolution says: a verdict per
// level needs seconds, not minutes.
func (s *Sim) declareSelf() {
	s.m.lateness = s.metrics.declare(NSBrinkSim, MetricLateness, unitMS, fillNone)
	s.m.serviceTime = s.metrics.declare(NSBrinkSim, MetricServiceTime, unitMS, fillNone)
}

// recordLateness records one turn's lateness: the scenario time its
// handler really finished at minus the modelled end (start + spent).
func (s *Sim) recordLateness(v *invocation) {
	late := s.clock.Now().Sub(v.now())
	s.record(s.m.lateness, v.start, ms(max(late, 0)))
	s.record(s.m.serviceTime, v.start, ms(v.spent))
}

// SetPause installs a hook called in every invocation just before the
// function's handler runs, with the scenario time the model has reached.
// Tests stall the sim with it, as a starved host would: the time the hook
// takes is not modelled and shows as lateness. Set it before serving.
func (s *Sim) SetPause(f func(at time.Time)) { s.pause = f }
