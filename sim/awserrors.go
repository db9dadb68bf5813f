package sim

import (
	"fmt"
	"net/http"
)

// awsError is an error answer in AWS's shapes. Code is the modelled error
// shape name (what JSON and CBOR put in __type, so SDKs raise their typed
// errors); QueryCode is its awsQuery code (ValidationException's is ValidationError) (also sent as X-Amzn-Query-Error).
type awsError struct {
	Status    int
	Code      string
	QueryCode string
	Message   string
}

func (e *awsError) Error() string { return e.Code + ": " + e.Message }

func (e *awsError) fault() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

func invalidParameter(format string, a ...any) *awsError {
	return &awsError{http.StatusBadRequest, "InvalidParameterValueException", "InvalidParameterValue", fmt.Sprintf(format, a...)}
}

func missingParameter(name string) *awsError {
	return &awsError{http.StatusBadRequest, "MissingRequiredParameterException", "MissingParameter",
		fmt.Sprintf("The parameter %s is required.", name)}
}

func invalidNextToken() *awsError {
	return &awsError{http.StatusBadRequest, "InvalidNextToken", "InvalidNextToken",
		"The NextToken is not valid for this request: pass the NextToken of the previous answer with the same parameters."}
}

func validationError(format string, a ...any) *awsError {
	return &awsError{http.StatusBadRequest, "ValidationException", "ValidationError", fmt.Sprintf(format, a...)}
}

func malformedInput(err error) *awsError {
	return &awsError{http.StatusBadRequest, "SerializationException", "MalformedInput", "cannot read the request body: " + err.Error()}
}

func unknownOperation(op string) *awsError {
	return &awsError{http.StatusBadRequest, "UnknownOperationException", "InvalidAction",
		fmt.Sprintf("brink sim does not serve %q: it serves GetMetricData, GetMetricStatistics and ListMetrics (CloudWatch), DescribeLogGroups, StartQuery and GetQueryResults (CloudWatch Logs)", op)}
}

func missingAuth() *awsError {
	return &awsError{http.StatusForbidden, "MissingAuthenticationTokenException", "MissingAuthenticationToken",
		"Request is missing Authentication Token: sign it with SigV4 (any credentials will do)"}
}
