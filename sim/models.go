package sim

import (
	"slices"
	"strings"
)

// KnownModels are the Bedrock model ids a sim config or a request may name:
// current text models with on-demand pricing (pricing/prices.yaml prices
// each). A cross-region inference profile id (us., eu., apac., global. in
// front of one of these) names the same model.
var KnownModels = []string{
	"anthropic.claude-3-haiku-20240307-v1:0",
	"anthropic.claude-haiku-4-5-20251001-v1:0",
	"anthropic.claude-sonnet-4-5-20250929-v1:0",
	"amazon.nova-micro-v1:0",
	"amazon.nova-lite-v1:0",
	"amazon.nova-pro-v1:0",
	"meta.llama3-3-70b-instruct-v1:0",
	"meta.llama3-1-8b-instruct-v1:0",
}

var profilePrefixes = []string{"us.", "eu.", "apac.", "global."}

// BaseModelID strips a cross-region inference profile's prefix.
func BaseModelID(id string) string {
	for _, p := range profilePrefixes {
		if rest, ok := strings.CutPrefix(id, p); ok {
			return rest
		}
	}
	return id
}

// KnownModel says whether id (or the model its inference profile names) is
// one of KnownModels.
func KnownModel(id string) bool { return slices.Contains(KnownModels, BaseModelID(id)) }
