package sim

import "strings"

var vocabulary = strings.Fields(`the a to of and in is for that you can your this with it on as are be
or by if an use will from at we not have more when which each request latency user users answer
model token tokens limit capacity concurrency retry backoff table write read function cold start
warm session message history cost price minute second throughput error rate quota region memory
duration invocation stream response question context budget scale load test level knee edge`)

// answerText makes an answer of about n tokens (a token is about three
// quarters of a word) that is deterministic for a seed.
func answerText(n int, seed uint64) string {
	words := max(1, n*3/4)
	var b strings.Builder
	b.Grow(words * 6)
	x := seed*6364136223846793005 + 1442695040888963407
	for i := range words {
		x = x*6364136223846793005 + 1442695040888963407
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[(x>>33)%uint64(len(vocabulary))])
	}
	b.WriteByte('.')
	return b.String()
}
