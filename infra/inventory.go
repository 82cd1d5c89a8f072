package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Inventory is what a synthesized template holds, in topology terms: the
// functions and workflows by their topology names (from the TagFunction and
// TagWorkflow tags) and the HTTP API route keys ("POST /api/candidates").
// Compare it with topology.App, or with what the local cloud serves.
type Inventory struct {
	Functions     []string
	Routes        []string
	StateMachines []string
}

// Template is the part of a CloudFormation template the inventory reads.
type Template struct {
	Resources map[string]TemplateResource `json:"Resources"`
}

// TemplateResource is one resource of a Template.
type TemplateResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	DependsOn  any            `json:"DependsOn"` // a logical ID or a list of them
}

// ReadInventory reads every *.template.json of a cloud assembly folder
// (cdk.out) and merges their inventories.
func ReadInventory(assemblyDir string) (Inventory, error) {
	paths, err := filepath.Glob(filepath.Join(assemblyDir, "*.template.json"))
	if err != nil {
		return Inventory{}, fmt.Errorf("read inventory: %w", err)
	}
	if len(paths) == 0 {
		return Inventory{}, fmt.Errorf("read inventory: no *.template.json in %s", assemblyDir)
	}
	var all Inventory
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return Inventory{}, fmt.Errorf("read inventory: %w", err)
		}
		inv, err := InventoryOfJSON(b)
		if err != nil {
			return Inventory{}, fmt.Errorf("read inventory of %s: %w", p, err)
		}
		all.Functions = append(all.Functions, inv.Functions...)
		all.Routes = append(all.Routes, inv.Routes...)
		all.StateMachines = append(all.StateMachines, inv.StateMachines...)
	}
	all.sort()
	return all, nil
}

// InventoryOfJSON reads the inventory of one template.
func InventoryOfJSON(template []byte) (Inventory, error) {
	var t Template
	if err := json.Unmarshal(template, &t); err != nil {
		return Inventory{}, fmt.Errorf("parse template: %w", err)
	}
	return InventoryOf(t), nil
}

// InventoryOf reads the inventory of a parsed template.
func InventoryOf(t Template) Inventory {
	var inv Inventory
	for _, r := range t.Resources {
		switch r.Type {
		case "AWS::Lambda::Function":
			if name, ok := tag(r, TagFunction); ok {
				inv.Functions = append(inv.Functions, name)
			}
		case "AWS::StepFunctions::StateMachine":
			if name, ok := tag(r, TagWorkflow); ok {
				inv.StateMachines = append(inv.StateMachines, name)
			}
		case "AWS::ApiGatewayV2::Route":
			if key, ok := r.Properties["RouteKey"].(string); ok {
				inv.Routes = append(inv.Routes, key)
			}
		}
	}
	inv.sort()
	return inv
}

func (inv *Inventory) sort() {
	sort.Strings(inv.Functions)
	sort.Strings(inv.Routes)
	sort.Strings(inv.StateMachines)
}

// tag returns the value of the tag named key. Lambda writes tags as a list of
// {Key, Value}; Step Functions as a list of {Key, Value} too.
func tag(r TemplateResource, key string) (string, bool) {
	tags, _ := r.Properties["Tags"].([]any)
	for _, t := range tags {
		m, _ := t.(map[string]any)
		if m["Key"] == key {
			v, ok := m["Value"].(string)
			return v, ok
		}
	}
	return "", false
}
