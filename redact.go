package brink

import "net/url"

// RedactURL is a URL as brink writes or prints it: without credentials,
// query or fragment, which may carry secrets.
func RedactURL(target string) string {
	if target == "" {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}
