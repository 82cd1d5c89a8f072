package dynamodb_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/local/dynamodb"
)

// TestAWSCLI drives the local DynamoDB with the AWS CLI, which checks the
// CRC32 header and parses errors itself.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	srv := httptest.NewServer(dynamodb.New())
	defer srv.Close()
	aws := func(args ...string) (string, error) {
		cmd := exec.Command("aws", append([]string{"dynamodb", "--endpoint-url", srv.URL, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"create-table", "--table-name", "consent", "--billing-mode", "PAY_PER_REQUEST",
			"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=S",
			"--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE"}, `"TableName": "consent"`},
		{[]string{"list-tables"}, `"consent"`},
		{[]string{"put-item", "--table-name", "consent", "--item", `{"pk":{"S":"CANDIDATE#1"},"sk":{"S":"PROFILE"},"locale":{"S":"en"}}`}, ``},
		{[]string{"query", "--table-name", "consent", "--key-condition-expression", "pk = :pk",
			"--expression-attribute-values", `{":pk":{"S":"CANDIDATE#1"}}`}, `"Count": 1`},
		{[]string{"scan", "--table-name", "consent", "--projection-expression", "locale"}, `"en"`},
	}
	for _, s := range steps {
		out, err := aws(s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("aws dynamodb %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
		if strings.Contains(out, "{") {
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("aws dynamodb %s printed no JSON: %s", s.args[0], out)
			}
		}
	}
	out, err := aws("put-item", "--table-name", "consent", "--item", `{"pk":{"S":"CANDIDATE#1"},"sk":{"S":"PROFILE"}}`,
		"--condition-expression", "attribute_not_exists(pk)")
	if err == nil || !strings.Contains(out, "ConditionalCheckFailedException") {
		t.Errorf("conditional put: %v\n%s", err, out)
	}
}
