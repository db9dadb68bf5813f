package brink

import (
	"regexp"
	"slices"
	"strings"
)

// KnownModels are the Bedrock model ids brink knows: current text models
// with on-demand pricing (pricing/prices.yaml prices each). A sim config and
// a flow may name only these. A cross-region inference profile id (us., eu., apac., global. in
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

// bedrockIDShape is what a Bedrock model id looks like (provider.model,
// perhaps a profile prefix and a :version), so a flow's model that is some
// other API's own name is left alone.
var bedrockIDShape = regexp.MustCompile(`^(us\.|eu\.|apac\.|global\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|twelvelabs|stability)\.[A-Za-z0-9._-]+(:\d+)?$`)

// LooksLikeBedrockModel says whether id has a Bedrock model id's shape.
func LooksLikeBedrockModel(id string) bool { return bedrockIDShape.MatchString(id) }

// OutputBurndown is how many tokens of a Bedrock tokens-per-minute quota
// one output token of the model uses: 5 for Anthropic Claude 3.7 Sonnet and
// later Claude models, 1 for the others (Amazon Bedrock User Guide, "How
// tokens are counted in Amazon Bedrock"). Billing counts each token once.
func OutputBurndown(id string) float64 {
	base := BaseModelID(id)
	rest, ok := strings.CutPrefix(base, "anthropic.claude-")
	if !ok {
		return 1
	}
	for _, old := range []string{"3-haiku", "3-sonnet", "3-opus", "3-5-", "v2", "instant"} {
		if strings.HasPrefix(rest, old) {
			return 1
		}
	}
	return 5
}

// CrossRegionProfile says whether id names a cross-Region inference
// profile (us., eu., apac., global.): its tokens count against the model's
// cross-Region quota, not its on-demand (in-Region) one.
func CrossRegionProfile(id string) bool { return BaseModelID(id) != id }
