package k8s

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"brink/collect/parquet"
)

// docs/scale-out.md's Athena table has the trace files' columns, in their
// order, with the Athena types of their Parquet types.
func TestScaleOutDocAthenaColumns(t *testing.T) {
	doc := readDoc(t)
	ddl := regexp.MustCompile("(?s)CREATE EXTERNAL TABLE [^(]+\\((.*?)\n\\)\nPARTITIONED BY \\(`shard` int\\)").FindStringSubmatch(doc)
	if ddl == nil {
		t.Fatal("no CREATE EXTERNAL TABLE ... PARTITIONED BY (`shard` int) in docs/scale-out.md")
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(ddl[1]), "\n") {
		got = append(got, strings.TrimSuffix(strings.TrimSpace(line), ","))
	}
	var want []string
	for _, f := range parquet.TraceSchema.Fields() {
		want = append(want, "`"+f.Name+"` "+athenaType(t, f.Type))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("docs/scale-out.md columns\n%s\nwant (collect/parquet.TraceSchema)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range []string{"'projection.enabled' = 'true'", "'projection.shard.type' = 'integer'", "'projection.shard.range' = '0,7'",
		"traces/shard=${shard}/'"} {
		if !strings.Contains(doc, p) {
			t.Fatalf("docs/scale-out.md lacks %s", p)
		}
	}
}

func athenaType(t *testing.T, dt arrow.DataType) string {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.STRING:
		return "string"
	case arrow.INT32:
		return "int"
	case arrow.INT64:
		return "bigint"
	case arrow.FLOAT64:
		return "double"
	case arrow.BOOL:
		return "boolean"
	case arrow.TIMESTAMP:
		return "timestamp"
	}
	t.Fatalf("no Athena type for %s", dt)
	return ""
}

// The IAM policy in docs/scale-out.md is JSON and grants what the shards
// and the analyze Job call.
func TestScaleOutDocPolicy(t *testing.T) {
	doc := readDoc(t)
	block := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(doc)
	if block == nil {
		t.Fatal("no json block in docs/scale-out.md")
	}
	var policy struct {
		Statement []struct {
			Action   any
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(block[1]), &policy); err != nil {
		t.Fatalf("the policy is not JSON: %v", err)
	}
	granted := map[string]bool{}
	for _, s := range policy.Statement {
		switch a := s.Action.(type) {
		case string:
			granted[a] = true
		case []any:
			for _, x := range a {
				granted[x.(string)] = true
			}
		}
	}
	for _, a := range []string{"s3:PutObject", "s3:GetObject", "s3:ListBucket", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
		"logs:StartQuery", "logs:GetQueryResults", "logs:StopQuery", "logs:DescribeLogGroups"} {
		if !granted[a] {
			t.Errorf("the policy does not grant %s", a)
		}
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../docs/scale-out.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
