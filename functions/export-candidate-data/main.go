// Command export-candidate-data serves GET /api/candidates/{id}/export: the
// data-subject access and portability export (GDPR Art. 15 and 20) of
// everything held about a candidate, with short-lived download links of
// their files, recorded in their audit trail.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/dataexport"
	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	names := env.Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME", "CV_BUCKET", "RECORDING_BUCKET")
	cfg := env.AWS(log)
	h := &Handler{
		Store: store.New(dynamodb.NewFromConfig(cfg), names[0], names[1]),
		Links: dataexport.Signer{
			Presigner: s3.NewPresignClient(s3.NewFromConfig(cfg)),
			Buckets:   map[consent.ArtifactKind]string{consent.KindCV: names[2], consent.KindRecording: names[3]},
		},
		Log: log, Now: time.Now,
	}
	lambda.Start(h.Handle)
}
