package sim

import (
	"net/http"
	"strconv"

	"github.com/fxamacker/cbor/v2"
)

// cborProto is Smithy RPC v2 CBOR: the request and answer are CBOR maps of
// the operation's members, timestamps CBOR tag 1 over epoch seconds, errors
// a map with __type and message.
type cborProto struct{}

var (
	cborDec, _ = cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 1 << 16,
		MaxMapPairs:      1 << 12,
	}.DecMode()
	cborEnc, _ = cbor.EncOptions{}.EncMode()
)

// decodeCBOR reads a request body; an empty body is an empty input.
func decodeCBOR(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	return cborDec.Unmarshal(body, v)
}

func (cborProto) decode(body []byte, v any) error { return decodeCBOR(body, v) }

func (cborProto) write(w http.ResponseWriter, _ string, v any) {
	b, err := cborEnc.Marshal(v)
	if err != nil {
		cborProto{}.fail(w, &awsError{http.StatusInternalServerError, "InternalServiceFault", "InternalServiceError", "encoding the answer: " + err.Error()})
		return
	}
	writeCBOR(w, http.StatusOK, b)
}

func (cborProto) fail(w http.ResponseWriter, e *awsError) {
	b, _ := cborEnc.Marshal(map[string]string{"__type": "com.amazonaws.cloudwatch#" + e.Code, "message": e.Message})
	w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+e.fault())
	writeCBOR(w, e.Status, b)
}

func writeCBOR(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/cbor")
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}
