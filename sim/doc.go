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
// The model (Config, docs/sim.md): API Gateway's integration timeout (504);
// Lambda's concurrency limit (429), cold starts when no warm execution
// environment is free and environments reclaimed after an idle period;
// four DynamoDB writes per turn against provisioned (token bucket with
// burst) or on-demand capacity, throttled writes retried with the AWS SDK's
// exponential backoff and jitter, then 500; Bedrock's tokens-per-minute
// quota (input plus max_tokens reserved up front), latency from time to
// first token and tokens per second slowing with concurrency, input tokens
// growing with the conversation.
//
// Every delay is modelled in scenario time and slept for Scale × that on the
// wall clock; each answer carries its modelled service time (scenario ms) in
// the X-Brink-Service-Time-Ms header and the clock in X-Brink-Clock. A seed
// makes the model's draws reproducible.
//
// The sim records, at 1-second resolution in scenario time, what AWS would
// publish under AWS/ApiGateway, AWS/Lambda, AWS/DynamoDB and AWS/Bedrock,
// and one Lambda REPORT log line per invocation. It does not model cross-
// region inference, provisioned throughput for Bedrock, VPC networking or
// Lambda's burst concurrency scaling rate.
package sim
