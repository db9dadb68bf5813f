// Package cloudwatch pulls a run's platform metrics from CloudWatch (API
// Gateway, Lambda, DynamoDB, Bedrock) with GetMetricData, and Lambda cold
// starts from the functions' log groups with a Logs Insights query, as
// brink.Metric rows (the metrics/*.parquet schema). It is the only package
// that imports the AWS SDK.
//
// A Spec (YAML, docs/collect.md) names the resources; the package knows which
// metrics each kind of resource publishes and which statistic answers for
// each (Sum for counts and tokens, Maximum for ConcurrentExecutions,
// Average, p95 and p99 for latencies) and picks one period for the whole
// window from the data's age, the way CloudWatch keeps it (Period). It asks
// at most 500 queries per call, follows NextToken, retries throttled calls
// with backoff, and turns AccessDenied, expired credentials and unreachable
// endpoints into one line that says what to fix (Error).
//
// It works against AWS and against brink sim, which serves the same API on
// its chat listener: the caller points the clients at it (Connect with an
// endpoint and static credentials). It does not write files (the caller does,
// with collect/parquet), does not join metrics to levels (analyze does), and
// does not support metric math or custom namespaces (but for the brink
// sim's own Brink/Sim self-measurement, Spec.BrinkSim).
package cloudwatch
