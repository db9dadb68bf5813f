package sim

import (
	"strconv"
	"time"
)

// GetMetricStatistics, the older one-metric call the aws CLI's
// get-metric-statistics and many dashboards still use.

const maxStatisticsDatapoints = 1440

type getMetricStatisticsInput struct {
	Namespace          string      `json:"Namespace"`
	MetricName         string      `json:"MetricName"`
	Dimensions         []Dimension `json:"Dimensions"`
	StartTime          *awsTime    `json:"StartTime"`
	EndTime            *awsTime    `json:"EndTime"`
	Period             int64       `json:"Period"`
	Statistics         []string    `json:"Statistics"`
	ExtendedStatistics []string    `json:"ExtendedStatistics"`
	Unit               string      `json:"Unit"`
}

type datapoint struct {
	Timestamp          awsTime            `json:"Timestamp"`
	SampleCount        *float64           `json:"SampleCount,omitempty"`
	Average            *float64           `json:"Average,omitempty"`
	Sum                *float64           `json:"Sum,omitempty"`
	Minimum            *float64           `json:"Minimum,omitempty"`
	Maximum            *float64           `json:"Maximum,omitempty"`
	Unit               string             `json:"Unit,omitempty"`
	ExtendedStatistics map[string]float64 `json:"ExtendedStatistics,omitempty"`
}

type getMetricStatisticsOutput struct {
	Label      string      `json:"Label"`
	Datapoints []datapoint `json:"Datapoints"`
}

func invalidCombination(format string, a ...any) *awsError {
	e := invalidParameter(format, a...)
	e.Code, e.QueryCode = "InvalidParameterCombinationException", "InvalidParameterCombination"
	return e
}

// getMetricStatistics answers from the same store as GetMetricData: one
// datapoint per period in ascending time, each with the statistics asked.
func (s *Sim) getMetricStatistics(in *getMetricStatisticsInput) (*getMetricStatisticsOutput, *awsError) {
	switch {
	case in.Namespace == "":
		return nil, missingParameter("Namespace")
	case in.MetricName == "":
		return nil, missingParameter("MetricName")
	case in.StartTime == nil:
		return nil, missingParameter("StartTime")
	case in.EndTime == nil:
		return nil, missingParameter("EndTime")
	case in.Period == 0:
		return nil, missingParameter("Period")
	case !validPeriod(in.Period):
		return nil, invalidParameter("The parameter Period %d must be 1, 5, 10, 20, 30 or a multiple of 60.", in.Period)
	case len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0:
		return nil, invalidCombination("Must specify either Statistics or ExtendedStatistics.")
	case len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0:
		return nil, invalidCombination("Statistics and ExtendedStatistics cannot both be specified.")
	case len(in.Statistics) > 5 || len(in.ExtendedStatistics) > 10:
		return nil, invalidParameter("At most 5 Statistics or 10 ExtendedStatistics may be asked for at once.")
	case !in.StartTime.Before(in.EndTime.Time):
		return nil, invalidParameter("The parameter StartTime (%s) must be less than the parameter EndTime (%s).",
			in.StartTime.Format(time.RFC3339), in.EndTime.Format(time.RFC3339))
	}
	var stats []stat
	for i, name := range in.Statistics {
		st, err := parseStat(name)
		if err != nil || st.kind == statPercentile {
			return nil, invalidParameter("The value %q for parameter Statistics.member.%d is not one of SampleCount, Average, Sum, Minimum, Maximum (percentiles go in ExtendedStatistics).", name, i+1)
		}
		stats = append(stats, st)
	}
	for i, name := range in.ExtendedStatistics {
		st, err := parseStat(name)
		if err != nil || st.kind != statPercentile {
			return nil, invalidParameter("The value %q for parameter ExtendedStatistics.member.%d is not a percentile such as p99 or p99.9.", name, i+1)
		}
		stats = append(stats, st)
	}
	from, to := in.StartTime.Unix(), in.EndTime.Unix()
	if in.EndTime.Nanosecond() > 0 {
		to++
	}
	sr := s.metrics.lookup(MetricID{Namespace: in.Namespace, Name: in.MetricName, Dimensions: in.Dimensions})
	asked := in.Period
	in.Period = sr.period(in.Period)
	from = alignedStart(from, asked, in.Period)
	if n := (to - from + in.Period - 1) / in.Period; n > maxStatisticsDatapoints {
		return nil, invalidCombination("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n, maxStatisticsDatapoints)
	}
	out := &getMetricStatisticsOutput{Label: in.MetricName, Datapoints: []datapoint{}}
	if sr == nil || (in.Unit != "" && in.Unit != sr.unit) {
		return out, nil
	}
	for _, a := range s.metrics.aggregate(sr, from, to, in.Period, s.clock.Now().Unix()) {
		dp := datapoint{Timestamp: awsTime{a.Start}, Unit: sr.unit}
		for i, st := range stats {
			v := a.Value(st)
			switch st.kind {
			case statSampleCount:
				dp.SampleCount = &v
			case statAverage:
				dp.Average = &v
			case statSum:
				dp.Sum = &v
			case statMin:
				dp.Minimum = &v
			case statMax:
				dp.Maximum = &v
			default:
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[in.ExtendedStatistics[i-len(in.Statistics)]] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// The awsQuery (XML) form of the answer.

type xmlEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type xmlDatapoint struct {
	Timestamp          string      `xml:"Timestamp"`
	SampleCount        *float64    `xml:"SampleCount,omitempty"`
	Average            *float64    `xml:"Average,omitempty"`
	Sum                *float64    `xml:"Sum,omitempty"`
	Minimum            *float64    `xml:"Minimum,omitempty"`
	Maximum            *float64    `xml:"Maximum,omitempty"`
	Unit               string      `xml:"Unit,omitempty"`
	ExtendedStatistics *xmlEntries `xml:"ExtendedStatistics,omitempty"`
}

type xmlEntries struct {
	Entry []xmlEntry `xml:"entry"`
}

type xmlGMS struct {
	Label      string `xml:"Label"`
	Datapoints struct {
		Member []xmlDatapoint `xml:"member"`
	} `xml:"Datapoints"`
}

func gmsXML(o *getMetricStatisticsOutput) xmlGMS {
	x := xmlGMS{Label: o.Label}
	for _, d := range o.Datapoints {
		xd := xmlDatapoint{Timestamp: d.Timestamp.UTC().Format(time.RFC3339), SampleCount: d.SampleCount, Average: d.Average,
			Sum: d.Sum, Minimum: d.Minimum, Maximum: d.Maximum, Unit: d.Unit}
		if len(d.ExtendedStatistics) > 0 {
			xd.ExtendedStatistics = &xmlEntries{}
			for k, v := range d.ExtendedStatistics {
				xd.ExtendedStatistics.Entry = append(xd.ExtendedStatistics.Entry, xmlEntry{k, strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
		x.Datapoints.Member = append(x.Datapoints.Member, xd)
	}
	return x
}
