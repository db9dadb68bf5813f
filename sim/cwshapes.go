package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// The CloudWatch shapes the sim reads and writes. Field names are
// CloudWatch's member names: the json tags serve awsJson1_0 and, through
// the cbor package's fallback to json tags, Smithy RPC v2 CBOR; awsQuery is
// decoded into the same shapes (queryform.go).

type getMetricDataInput struct {
	MetricDataQueries []metricDataQuery `json:"MetricDataQueries"`
	StartTime         *awsTime          `json:"StartTime"`
	EndTime           *awsTime          `json:"EndTime"`
	NextToken         *string           `json:"NextToken"`
	ScanBy            string            `json:"ScanBy"`
	MaxDatapoints     *int64            `json:"MaxDatapoints"`
}

type metricDataQuery struct {
	ID         string      `json:"Id"`
	Label      string      `json:"Label"`
	ReturnData *bool       `json:"ReturnData"`
	Period     *int64      `json:"Period"`
	AccountID  string      `json:"AccountId"`
	Expression string      `json:"Expression"`
	MetricStat *metricStat `json:"MetricStat"`
}

type metricStat struct {
	Metric cwMetric `json:"Metric"`
	Period int64    `json:"Period"`
	Stat   string   `json:"Stat"`
	Unit   string   `json:"Unit"`
}

type cwMetric struct {
	Namespace  string      `json:"Namespace"`
	MetricName string      `json:"MetricName"`
	Dimensions []Dimension `json:"Dimensions"`
}

type getMetricDataOutput struct {
	MetricDataResults []metricDataResult `json:"MetricDataResults"`
	NextToken         string             `json:"NextToken,omitempty"`
	Messages          []messageData      `json:"Messages"`
}

type metricDataResult struct {
	ID         string        `json:"Id"`
	Label      string        `json:"Label"`
	Timestamps []awsTime     `json:"Timestamps"`
	Values     []float64     `json:"Values"`
	StatusCode string        `json:"StatusCode"`
	Messages   []messageData `json:"Messages"`
}

type messageData struct {
	Code  string `json:"Code"`
	Value string `json:"Value"`
}

type listMetricsInput struct {
	Namespace  string            `json:"Namespace"`
	MetricName string            `json:"MetricName"`
	Dimensions []dimensionFilter `json:"Dimensions"`
	NextToken  *string           `json:"NextToken"`
}

type dimensionFilter struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value"`
}

type listMetricsOutput struct {
	Metrics   []cwMetric `json:"Metrics"`
	NextToken string     `json:"NextToken,omitempty"`
}

// awsTime is a timestamp as the protocols carry it: CBOR tag 1 over epoch
// seconds, a JSON number of epoch seconds, or (awsQuery) ISO 8601 text.
type awsTime struct{ time.Time }

func (t awsTime) epoch() float64 { return float64(t.UnixMilli()) / 1e3 }

func fromEpoch(s float64) (awsTime, error) {
	if math.IsNaN(s) || math.IsInf(s, 0) || math.Abs(s) > 1e11 {
		return awsTime{}, fmt.Errorf("timestamp %v seconds is out of range", s)
	}
	return awsTime{time.UnixMilli(int64(math.Round(s * 1e3))).UTC()}, nil
}

func (t awsTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, t.epoch(), 'f', -1, 64), nil
}

func (t *awsTime) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		tt, err := fromEpoch(v)
		*t = tt
		return err
	case string:
		return t.parseText(v)
	}
	return fmt.Errorf("timestamp: want epoch seconds or ISO 8601 text, got %s", b)
}

func (t *awsTime) parseText(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if tt, err := time.Parse(layout, s); err == nil {
			*t = awsTime{tt.UTC()}
			return nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		tt, err := fromEpoch(f)
		*t = tt
		return err
	}
	return fmt.Errorf("timestamp %q: want ISO 8601 (2006-01-02T15:04:05Z) or epoch seconds", s)
}

func (t awsTime) MarshalCBOR() ([]byte, error) {
	return cbor.Marshal(cbor.Tag{Number: 1, Content: t.epoch()})
}

func (t *awsTime) UnmarshalCBOR(b []byte) error {
	var tag cbor.RawTag
	if err := cbor.Unmarshal(b, &tag); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if tag.Number != 1 {
		return fmt.Errorf("timestamp: want CBOR tag 1, got tag %d", tag.Number)
	}
	var v any
	if err := cbor.Unmarshal(tag.Content, &v); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	var s float64
	switch v := v.(type) {
	case uint64:
		s = float64(v)
	case int64:
		s = float64(v)
	case float64:
		s = v
	default:
		return fmt.Errorf("timestamp: tag 1 must hold a number, not %T", v)
	}
	tt, err := fromEpoch(s)
	*t = tt
	return err
}
