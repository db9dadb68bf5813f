// Package sim is brink's embedded target: a model of a serverless chat API
// (API Gateway → Lambda → DynamoDB → Bedrock) behind a real HTTP API, so the
// demo and the tests exercise real HTTP, real limits and real metric
// queries without an AWS account.
//
// Routes: POST /auth/login → {"token"}, POST /chat/sessions (bearer token) →
// {"session_id"}, POST /chat/sessions/{id}/messages (bearer token) → the
// answer as JSON, or as a server-sent event stream when the client sends
// Accept: text/event-stream. GET /_brink/clock announces the scenario clock.
//
// The model (Config, docs/sim.md): API Gateway receiving the whole body
// first (408 when it stalls), its throttling token bucket (429) and its
// integration timeout (504); Lambda's reserved or unreserved concurrency
// limit and scaling rate (500 through API Gateway), cold starts when no warm execution
// environment is free and environments reclaimed after an idle period;
// four DynamoDB writes per turn against provisioned (token bucket with
// burst) or on-demand capacity, throttled writes retried with the AWS SDK's
// exponential backoff and jitter, then 500; per Bedrock model, the
// tokens-per-minute (input plus max_tokens reserved up front) and
// requests-per-minute quotas, the context window (400) and server errors
// (502), latency from time to first token and tokens per second slowing
// with concurrency, input tokens growing with the conversation. Tokens
// expire and the token and session tables are bounded.
//
// Every delay is modelled in scenario time and slept for Scale × that on the
// wall clock; each answer carries its modelled service time (scenario ms) in
// the X-Brink-Service-Time-Ms header and the clock in X-Brink-Clock. A seed
// makes the model's draws reproducible.
//
// The sim records, at 1-second resolution in scenario time, what AWS would
// publish under AWS/ApiGateway, AWS/Lambda (per function and for the
// account), AWS/DynamoDB and AWS/Bedrock, as per-second statistic sets with
// a DDSketch for percentiles (bounded: seconds for 3 hours, then minutes),
// and one Lambda REPORT log line per invocation. It serves them through
// GetMetricData, GetMetricStatistics, ListMetrics, DescribeLogGroups and a
// Logs Insights subset. It does not model cross-region inference,
// provisioned throughput for Bedrock or VPC networking.
package sim
