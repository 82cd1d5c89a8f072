package dynamodb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// snapshot is the saved form of every table: its definition and items.
type snapshot struct {
	Tables []tableSnapshot
}

type tableSnapshot struct {
	Definition tableDefinition
	Created    time.Time
	TimeToLive *timeToLive `json:",omitempty"`
	Items      []Item
}

// Save writes every table and item to w, for Load to read back.
func (s *Server) Save(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var snap snapshot
	for _, name := range sortedKeys(s.tables) {
		t := s.tables[name]
		ts := tableSnapshot{Definition: t.def, Created: t.created, TimeToLive: t.ttl, Items: make([]Item, 0, t.count)}
		for _, h := range sortedKeys(t.parts) {
			for _, e := range t.parts[h].entries {
				ts.Items = append(ts.Items, e.item)
			}
		}
		snap.Tables = append(snap.Tables, ts)
	}
	return json.NewEncoder(w).Encode(snap)
}

// Load adds the tables and items Save wrote. A table that exists already is
// an error.
func (s *Server) Load(r io.Reader) error {
	var snap snapshot
	if err := json.NewDecoder(r).Decode(&snap); err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ts := range snap.Tables {
		if s.tables[ts.Definition.TableName] != nil {
			return fmt.Errorf("load table %s: it exists already", ts.Definition.TableName)
		}
		t, err := newTable(ts.Definition)
		if err != nil {
			return fmt.Errorf("load table %s: %w", ts.Definition.TableName, err)
		}
		t.created, t.ttl = ts.Created, ts.TimeToLive
		for _, item := range ts.Items {
			if err := t.checkItem(item); err != nil {
				return fmt.Errorf("load table %s: %w", ts.Definition.TableName, err)
			}
			t.put(item)
		}
		s.tables[ts.Definition.TableName] = t
	}
	return nil
}

// SaveFile writes the snapshot to path atomically (a temporary file renamed
// over it), so that a crash while saving keeps the previous snapshot.
func (s *Server) SaveFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dynamodb-*.json")
	if err != nil {
		return fmt.Errorf("save local DynamoDB: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.Save(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("save local DynamoDB: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save local DynamoDB: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save local DynamoDB: %w", err)
	}
	return nil
}

// LoadFile loads the snapshot at path; a missing file is an empty database.
func (s *Server) LoadFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load local DynamoDB: %w", err)
	}
	defer f.Close()
	if err := s.Load(f); err != nil {
		return fmt.Errorf("load local DynamoDB from %s: %w", path, err)
	}
	return nil
}

// HasTable reports whether a table exists.
func (s *Server) HasTable(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tables[name] != nil
}
