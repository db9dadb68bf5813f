package replay

// DefaultQuestions is the small built-in list the default flow asks from:
// varied lengths so input and output token counts vary.
var DefaultQuestions = []string{
	"What is my current plan?",
	"How do I reset my password?",
	"Summarise the last three invoices on my account and tell me which one is still unpaid.",
	"Can you explain the difference between the Basic and the Pro tier in terms of limits and support?",
	"Why was my card declined?",
	"Write a short, friendly reply to a customer who is asking when their order will arrive; the tracking page says it is delayed by two days because of weather.",
	"What are your opening hours on public holidays?",
	"I moved to a new address last month. Which of my subscriptions still ship to the old one, and how do I change all of them at once?",
	"Translate 'thank you for your patience' into French, German and Spanish.",
	"List the steps to export my data as CSV.",
	"Is there a discount for annual billing?",
	"Compare the battery life of the two models I looked at yesterday and recommend one for long flights.",
	"How many API calls did my team make this week, and are we close to the quota?",
	"Draft an agenda for a 30-minute onboarding call with a new enterprise customer who uses SSO and needs audit logs.",
	"What does error code E1027 mean?",
	"Cancel my order.",
	"Explain, as if to a new hire, how refunds are processed from the moment a customer asks until the money is back on their card, including the usual delays.",
	"Which of my devices are still under warranty?",
	"Give me three ideas for a birthday message to a colleague.",
	"Why is my monthly bill higher than last month? Break it down by line item and point out anything unusual.",
}
