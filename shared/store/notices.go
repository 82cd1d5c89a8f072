package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A notice is one email of one workflow execution (such as an erasure's
// confirmation to the candidate, or its notice to the team), recorded so
// that a retried step sends it at most once. Its item, in the candidate's
// partition, holds ids only: the execution's name, the recipient's role
// ("candidate", "team") and the email's message id.
type noticeItem struct {
	PK        string     `dynamodbav:"pk"`
	SK        string     `dynamodbav:"sk"`
	Execution string     `dynamodbav:"execution"`
	Role      string     `dynamodbav:"role"`
	Status    string     `dynamodbav:"status"`
	ClaimedAt time.Time  `dynamodbav:"claimedAt"`
	SentAt    *time.Time `dynamodbav:"sentAt,omitempty"`
	MessageID string     `dynamodbav:"messageId,omitempty"`
}

// A notice's status: claimed by an attempt about to send it, sent, or
// released by an attempt whose send failed (the next attempt claims it).
const (
	noticeClaimed  = "claimed"
	noticeSent     = "sent"
	noticeReleased = "released"
)

func noticeSK(execution, role string) string { return "NOTICE#" + execution + "#" + role }

// ClaimNotice claims the email to role of a workflow execution before it is
// sent, with a conditional write. claimed is false when an earlier attempt
// claimed it and did not release it: it was sent, or may have been (an
// attempt that died mid-send), and the caller sends nothing, so that each
// email goes out at most once.
func (s *Store) ClaimNotice(ctx context.Context, candidateID, execution, role string, at time.Time) (claimed bool, err error) {
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: marshal(noticeItem{PK: candidatePK(candidateID), SK: noticeSK(execution, role), Execution: execution, Role: role,
			Status: noticeClaimed, ClaimedAt: at.UTC()}),
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #status = :released"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":released": &types.AttributeValueMemberS{Value: noticeReleased}},
	})
	if failed, _ := conditionFailed(err); failed {
		return false, nil
	}
	if err != nil {
		return false, unavailable("claim notice", err)
	}
	return true, nil
}

// NoticeSent records the message id of a claimed email that went out.
func (s *Store) NoticeSent(ctx context.Context, candidateID, execution, role, messageID string, at time.Time) error {
	return s.settleNotice(ctx, candidateID, execution, role, "SET #status = :sent, sentAt = :at, messageId = :id", map[string]types.AttributeValue{
		":sent": &types.AttributeValueMemberS{Value: noticeSent}, ":at": timeValue(at), ":id": &types.AttributeValueMemberS{Value: messageID},
	})
}

// ReleaseNotice gives up the claim of an email whose send failed, so that
// the step's next attempt sends it.
func (s *Store) ReleaseNotice(ctx context.Context, candidateID, execution, role string) error {
	return s.settleNotice(ctx, candidateID, execution, role, "SET #status = :released", map[string]types.AttributeValue{
		":released": &types.AttributeValueMemberS{Value: noticeReleased},
	})
}

// settleNotice updates a notice still claimed; one settled already is left
// as it is.
func (s *Store) settleNotice(ctx context.Context, candidateID, execution, role, update string, values map[string]types.AttributeValue) error {
	values[":claimed"] = &types.AttributeValueMemberS{Value: noticeClaimed}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(candidatePK(candidateID), noticeSK(execution, role)),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#status = :claimed"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	if failed, _ := conditionFailed(err); failed {
		return nil
	}
	if err != nil {
		return unavailable("settle notice", err)
	}
	return nil
}
