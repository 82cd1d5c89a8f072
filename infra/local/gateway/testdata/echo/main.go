// Command echo is an aws-lambda-go function for the gateway's tests. It
// answers with the event it got, or, by the "mode" query parameter, with
// the other kinds of answer a function can give API Gateway.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Refused is a named handler error.
type Refused struct{}

func (Refused) Error() string { return "refused" }

func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (json.RawMessage, error) {
	var answer any
	switch ev.QueryStringParameters["mode"] {
	case "simple":
		answer = map[string]string{"hello": "world"}
	case "string":
		answer = "just text"
	case "error":
		return nil, Refused{}
	case "cookies":
		answer = events.APIGatewayV2HTTPResponse{
			StatusCode:        201,
			Headers:           map[string]string{"content-type": "text/plain", "x-single": "one"},
			MultiValueHeaders: map[string][]string{"x-multi": {"a", "b"}},
			Cookies:           []string{"session=abc; HttpOnly", "theme=dark"},
			Body:              "created",
		}
	case "binary":
		answer = events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"content-type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}),
			IsBase64Encoded: true,
		}
	case "malformed":
		return json.RawMessage(`{"statusCode":"two hundred"}`), nil
	case "sleep":
		time.Sleep(2 * time.Second)
		answer = map[string]string{"slept": "yes"}
	default:
		body, err := json.Marshal(ev)
		if err != nil {
			return nil, errors.New("marshal event")
		}
		answer = events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers:    map[string]string{"content-type": "application/json"},
			Body:       string(body),
		}
	}
	return json.Marshal(answer)
}

func main() {
	lambda.Start(handle)
}
