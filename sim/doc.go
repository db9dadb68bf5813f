// Package sim is brink's embedded target: a model of a serverless chat API
// (API Gateway → Lambda → Bedrock) behind a real HTTP API, so the demo and the
// tests exercise real HTTP, real limits and real latency without an AWS
// account.
//
// Routes: POST /auth/login → {"token"}, POST /chat/sessions (bearer token) →
// {"session_id"}, POST /chat/sessions/{id}/messages (bearer token) → the
// answer as JSON, or as a server-sent event stream when the client sends
// Accept: text/event-stream. GET /_brink/clock announces the scenario clock.
//
// Every delay is modelled in scenario time and slept for Scale × that on the
// wall clock; each answer carries its modelled service time (scenario ms) in
// the X-Brink-Service-Time-Ms header and the clock in X-Brink-Clock, so a
// generator started separately agrees on scenario time.
//
// It does not model DynamoDB or publish CloudWatch metrics yet.
package sim
