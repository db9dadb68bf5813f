package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// jsonProto is awsJson1_0 (CloudWatch, as botocore sends it) or awsJson1_1
// (CloudWatch Logs): JSON members, timestamps as epoch seconds, errors a
// JSON object with __type and message.
type jsonProto struct {
	version string // "1.0" or "1.1"
	ns      string // the service's Smithy namespace, for __type
}

func (jsonProto) decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return json.Unmarshal(body, v)
}

func (p jsonProto) write(w http.ResponseWriter, _ string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		p.fail(w, &awsError{http.StatusInternalServerError, "InternalServiceFault", "InternalServiceError", "encoding the answer: " + err.Error()})
		return
	}
	p.send(w, http.StatusOK, b)
}

func (p jsonProto) fail(w http.ResponseWriter, e *awsError) {
	typ := e.Code
	if p.ns != "" {
		typ = p.ns + "#" + e.Code
	}
	b, _ := json.Marshal(map[string]string{"__type": typ, "message": e.Message})
	w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+e.fault())
	p.send(w, e.Status, b)
}

func (p jsonProto) send(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+p.version)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}
