package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Consentflow is the whole deployment: its two stacks.
type Consentflow struct {
	Stateful  *StatefulStack
	Stateless *StatelessStack
}

// NewConsentflow defines both stacks from app and cfg, environment-agnostic
// (no account or region), so synth needs no credentials.
func NewConsentflow(scope constructs.Construct, app topology.Application, cfg Config, schedules ...Schedule) (*Consentflow, error) {
	if err := app.Validate(); err != nil {
		return nil, err
	}
	defs := make([]Definition, 0, len(app.Workflows))
	for _, w := range app.Workflows {
		d, err := LoadDefinition(cfg.RepoRoot, w)
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	tags := map[string]*string{"app": jsii.String(app.Name)}
	stateful := NewStatefulStack(scope, app.Name+"-stateful", &StatefulStackProps{
		StackProps: awscdk.StackProps{Tags: &tags},
		App:        app,
		Config:     cfg,
	})
	stateless, err := NewStatelessStack(scope, app.Name+"-stateless", &StatelessStackProps{
		StackProps:  awscdk.StackProps{Tags: &tags},
		App:         app,
		Config:      cfg,
		Stateful:    stateful,
		Definitions: defs,
		Schedules:   schedules,
	})
	if err != nil {
		return nil, err
	}
	return &Consentflow{Stateful: stateful, Stateless: stateless}, nil
}
