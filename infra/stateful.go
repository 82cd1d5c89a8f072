package main

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// NoncurrentVersionDays is how long an overwritten or deleted object version
// stays recoverable in a data bucket. After it, an erasure is final.
const NoncurrentVersionDays = 7

// AccessLogDays is how long S3 server access logs are kept.
const AccessLogDays = 365

// StatefulStackProps configures NewStatefulStack.
type StatefulStackProps struct {
	awscdk.StackProps
	App    topology.Application
	Config Config
}

// StatefulStack holds what outlives a deployment: the table, the buckets,
// their key and the recruiters' user pool. It is termination protected and
// every resource in it is retained when the stack is deleted or an update
// removes it. A failed first create removes what it created
// (DeletionPolicy RetainExceptOnCreate), so a retry does not collide with
// leftovers. The tables and the user pool, under deletion protection, are
// retained even then; they are created last, one after the other, so that
// only a failure of one of them can leave the others behind (their names
// are generated: no collision).
type StatefulStack struct {
	Stack awscdk.Stack
	Key   awskms.Key
	Table awsdynamodb.Table
	// TableName is the table's topology name; Indexes its index names.
	TableName string
	Indexes   []string
	// Audit holds the append-only audit events; functions may only add to
	// it and read it.
	Audit      awsdynamodb.Table
	Buckets    map[string]awss3.Bucket
	AccessLogs awss3.Bucket
	// UserPool and UserPoolClient sign recruiters in: created here, or
	// imported when the configuration names an existing pool.
	UserPool       awscognito.IUserPool
	UserPoolClient awscognito.IUserPoolClient
	// Secrets are the deployment's generated secrets, by topology name.
	Secrets map[string]awssecretsmanager.Secret
	// Mail is the verified sender identity and its configuration set: kept
	// here because deleting a verified identity means verifying it again
	// (and, for a domain, new DKIM records) before any email goes out.
	Mail *Mail
	// SigningKeys sign receipts, by topology name.
	SigningKeys map[string]awskms.Key
}

// NewStatefulStack defines the stateful stack.
func NewStatefulStack(scope constructs.Construct, id string, props *StatefulStackProps) *StatefulStack {
	sp := props.StackProps
	sp.TerminationProtection = jsii.Bool(true)
	if sp.Description == nil {
		sp.Description = jsii.String(props.App.Name + ": consent records, candidate files and recruiter accounts (retained on delete)")
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	s := &StatefulStack{Stack: stack, Buckets: map[string]awss3.Bucket{}}

	s.Key = newKey(stack, "DataKey", props.App.Name+" personal data: the table and the candidate buckets")
	s.Mail = newMail(stack, props.Config)
	mail := []constructs.IConstruct{s.Mail.ConfigurationSet}
	if s.Mail.Identity != nil {
		mail = append(mail, s.Mail.Identity)
	}
	for _, c := range mail {
		for _, child := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
			if r, ok := child.(awscdk.CfnResource); ok {
				r.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
			}
		}
	}

	t := props.App.Table
	s.Table = awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:  attribute(t.PartitionKey),
		SortKey:       attribute(t.SortKey),
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey: s.Key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		// Retain, not retain-except-on-create: a rollback cannot delete a
		// table under deletion protection, and would fail instead of
		// leaving it. Its name is generated, so a retry does not collide.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	s.TableName = t.Name
	for _, ix := range t.Indexes {
		s.Indexes = append(s.Indexes, ix.Name)
		s.Table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:    jsii.String(ix.Name),
			PartitionKey: attribute(ix.PartitionKey),
			SortKey:      attribute(ix.SortKey),
		})
	}

	a := props.App.Audit
	s.Audit = awsdynamodb.NewTable(stack, jsii.String("AuditTable"), &awsdynamodb.TableProps{
		PartitionKey:  attribute(a.PartitionKey),
		SortKey:       attribute(a.SortKey),
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey: s.Key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})

	s.AccessLogs = awss3.NewBucket(stack, jsii.String("AccessLogs"), &awss3.BucketProps{
		// Server access logs cannot be delivered to an SSE-KMS bucket.
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("expire-access-logs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(AccessLogDays)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	for _, b := range props.App.Buckets {
		s.Buckets[b.Name] = awss3.NewBucket(stack, jsii.String(topology.Pascal(b.Name)+"Bucket"), &awss3.BucketProps{
			Encryption:             awss3.BucketEncryption_KMS,
			EncryptionKey:          s.Key,
			BucketKeyEnabled:       jsii.Bool(true),
			BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
			EnforceSSL:             jsii.Bool(true),
			MinimumTLSVersion:      jsii.Number(1.2),
			ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
			Versioned:              jsii.Bool(true),
			ServerAccessLogsBucket: s.AccessLogs,
			ServerAccessLogsPrefix: jsii.String(b.Name + "/"),
			LifecycleRules: &[]*awss3.LifecycleRule{{
				// Versioning guards against mistakes for a short while; then
				// an erased object is gone for good.
				Id:                                  jsii.String("erase-noncurrent-versions"),
				NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(NoncurrentVersionDays)),
				ExpiredObjectDeleteMarker:           jsii.Bool(true),
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
			}},
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		})
	}

	for _, b := range append([]awss3.Bucket{s.AccessLogs}, bucketsOf(s.Buckets)...) {
		eventBridgeNotifications(b)
	}
	s.UserPool, s.UserPoolClient = recruiterPool(stack, props.Config)
	s.Secrets = newSecrets(stack, props.App)
	s.SigningKeys = newSigningKeys(stack, props.App)
	last := []constructs.IConstruct{s.Audit, s.Table}
	if pool, ok := s.UserPool.(awscognito.UserPool); ok {
		last = append([]constructs.IConstruct{pool}, last...)
	}
	createLast(stack, last...)
	return s
}

// createLast has CloudFormation create the given constructs' resources
// after every other resource of the stack, each construct's after the one
// before. They are the resources a rollback cannot delete (deletion
// protection), so a first create that fails anywhere else rolls back before
// any of them exists, and one that fails on them leaves behind only those
// created before it.
func createLast(stack awscdk.Stack, last ...constructs.IConstruct) {
	under := func(r constructs.IConstruct, c constructs.IConstruct) bool {
		p, q := *r.Node().Path(), *c.Node().Path()
		return p == q || strings.HasPrefix(p, q+"/")
	}
	first := last[0].Node().DefaultChild().(awscdk.CfnResource)
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		r, ok := c.(awscdk.CfnResource)
		if !ok || slices.ContainsFunc(last, func(l constructs.IConstruct) bool { return under(r, l) }) {
			continue
		}
		first.AddDependency(r)
	}
	for i := 1; i < len(last); i++ {
		last[i].Node().DefaultChild().(awscdk.CfnResource).AddDependency(last[i-1].Node().DefaultChild().(awscdk.CfnResource))
	}
}

// recruiterPool creates the recruiters' user pool, or imports the one the
// configuration names.
func recruiterPool(stack awscdk.Stack, cfg Config) (awscognito.IUserPool, awscognito.IUserPoolClient) {
	if cfg.RecruiterUserPoolID != "" {
		pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("RecruiterPool"), jsii.String(cfg.RecruiterUserPoolID))
		client := awscognito.UserPoolClient_FromUserPoolClientId(stack, jsii.String("RecruiterClient"), jsii.String(cfg.RecruiterUserPoolClientID))
		return pool, client
	}
	pool := awscognito.NewUserPool(stack, jsii.String("RecruiterPool"), &awscognito.UserPoolProps{
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		Mfa:               awscognito.Mfa_REQUIRED,
		MfaSecondFactor:   &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:        jsii.Number(12),
			RequireLowercase: jsii.Bool(true),
			RequireUppercase: jsii.Bool(true),
			RequireDigits:    jsii.Bool(true),
			RequireSymbols:   jsii.Bool(true),
		},
		AccountRecovery:              awscognito.AccountRecovery_EMAIL_ONLY,
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		DeletionProtection:           jsii.Bool(true),
		// Retain, as the table: deletion protection would fail a rollback.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	client := pool.AddClient(jsii.String("RecruiterClient"), &awscognito.UserPoolClientOptions{
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		GenerateSecret:             jsii.Bool(false),
		PreventUserExistenceErrors: jsii.Bool(true),
		// Recruiters sign in with SRP; no hosted-UI OAuth flow (and no
		// placeholder callback URL a token could be sent to).
		DisableOAuth:          jsii.Bool(true),
		AccessTokenValidity:   awscdk.Duration_Minutes(jsii.Number(60)),
		IdTokenValidity:       awscdk.Duration_Minutes(jsii.Number(60)),
		RefreshTokenValidity:  awscdk.Duration_Hours(jsii.Number(12)),
		EnableTokenRevocation: jsii.Bool(true),
	})
	return pool, client
}

func attribute(k topology.Key) *awsdynamodb.Attribute {
	if k.Name == "" {
		return nil
	}
	typ := awsdynamodb.AttributeType_STRING
	if k.Type == "N" {
		typ = awsdynamodb.AttributeType_NUMBER
	}
	return &awsdynamodb.Attribute{Name: jsii.String(k.Name), Type: typ}
}

// eventBridgeNotifications sends the bucket's object events to EventBridge
// (Control Tower CT.S3.PR.4), set on the CloudFormation resource itself:
// the L2 property would add a custom resource and its Lambda function.
func eventBridgeNotifications(b awss3.Bucket) {
	b.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}

func bucketsOf(m map[string]awss3.Bucket) []awss3.Bucket {
	out := make([]awss3.Bucket, 0, len(m))
	for _, name := range sortedKeys(m) {
		out = append(out, m[name])
	}
	return out
}
