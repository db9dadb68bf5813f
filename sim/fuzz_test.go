package sim

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// fuzzSim is a sim with a few datapoints, for the decoders' fuzz targets
// to run their decoded requests against.
func fuzzSim(f *testing.F) *Sim {
	s, err := New(fastModel(), testScale)
	if err != nil {
		f.Fatal(err)
	}
	for i := range 20 {
		s.record(s.m.apiCount, s.clock.Epoch.Add(time.Duration(i)*time.Second), 1)
	}
	return s
}

func FuzzDecodeCBOR(f *testing.F) {
	s := fuzzSim(f)
	ep := s.clock.Epoch
	seed := getMetricDataInput{StartTime: &awsTime{ep.Add(-time.Minute)}, EndTime: &awsTime{ep.Add(time.Hour)},
		MetricDataQueries: []metricDataQuery{{ID: "m", MetricStat: &metricStat{Period: 1, Stat: "p99",
			Metric: cwMetric{Namespace: NSAPIGateway, MetricName: "Count", Dimensions: []Dimension{{"ApiName", "brink-chat"}, {"Stage", "prod"}}}}}}}
	b, _ := cborEnc.Marshal(seed)
	f.Add(b)
	b, _ = cborEnc.Marshal(listMetricsInput{Namespace: NSLambda})
	f.Add(b)
	f.Add([]byte{0xa1, 0x69, 'S', 't', 'a', 'r', 't', 'T', 'i', 'm', 'e', 0xc1, 0xfb, 0x41, 0xd9, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		var in getMetricDataInput
		if decodeCBOR(body, &in) == nil {
			if out, err := s.getMetricData(&in); err == nil {
				if _, err := cborEnc.Marshal(out); err != nil {
					t.Fatalf("answer does not encode: %v", err)
				}
			}
		}
		var lm listMetricsInput
		if decodeCBOR(body, &lm) == nil {
			s.listMetrics(&lm)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	s := fuzzSim(f)
	f.Add([]byte(`{"MetricDataQueries":[{"Id":"m","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"Count"},"Period":60,"Stat":"Sum"}}],"StartTime":1.5e9,"EndTime":2.5e9,"MaxDatapoints":5}`))
	f.Add([]byte(`{"StartTime":"2026-01-01T00:00:00Z","NextToken":"djE6MDow"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in getMetricDataInput
		if (jsonProto{}).decode(body, &in) == nil {
			s.getMetricData(&in)
		}
		var sq startQueryInput
		if (jsonProto{}).decode(body, &sq) == nil {
			s.startQuery(&sq)
		}
	})
}

func FuzzDecodeForm(f *testing.F) {
	s := fuzzSim(f)
	f.Add("Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FApiGateway&MetricDataQueries.member.1.MetricStat.Metric.MetricName=Count&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Sum&StartTime=2026-01-01T00%3A00%3A00Z&EndTime=2036-01-01T00%3A00%3A00Z")
	f.Add("Action=ListMetrics&Version=2010-08-01&Dimensions.member.1.Name=TableName&Dimensions.member.1.Value=x")
	f.Add("A.member.1=x&A.member.1.B=y&A=z")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		var in getMetricDataInput
		if decodeForm(form, &in) == nil {
			s.getMetricData(&in)
		}
		var lm listMetricsInput
		if decodeForm(form, &lm) == nil {
			s.listMetrics(&lm)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add("lambda:\n  concurrency_limit: 50\nbedrock:\n  time_to_first_token: 300ms\n")
	f.Add("seed: 3\n")
	f.Add("lambda: {concurrency_limit: -1}\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConfig("fuzz.yaml", []byte(s))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
	})
}

func TestParseConfigErrors(t *testing.T) {
	for in, want := range map[string]string{
		"lambda:\n  concurency_limit: 5\n":  `sim config c.yaml:2:3: unknown key "concurency_limit" (did you mean "concurrency_limit"?)`,
		"lambda:\n  concurrency_limit: 0\n": "concurrency_limit",
		"":                                  "the file is empty",
	} {
		if _, err := ParseConfig("c.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
	cfg, err := ParseConfig("c.yaml", []byte("lambda:\n  concurrency_limit: 7\n"))
	if err != nil || cfg.Lambda.ConcurrencyLimit != 7 || cfg.Bedrock.ModelID != DefaultConfig().Bedrock.ModelID {
		t.Fatalf("%+v %v: want the limit set and the rest default", cfg.Lambda, err)
	}
}
