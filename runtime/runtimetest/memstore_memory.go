package runtimetest

import (
	"context"

	"parley/runtime"
)

// GetMemory returns the value of key in scope and whether it is set.
func (s *MemStore) GetMemory(ctx context.Context, scope runtime.MemoryScope, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.memory[memKey{scope, key}]
	return v, ok, nil
}

// SetMemory stores value under key in scope; "" deletes the key.
func (s *MemStore) SetMemory(ctx context.Context, scope runtime.MemoryScope, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == "" {
		delete(s.memory, memKey{scope, key})
	} else {
		s.memory[memKey{scope, key}] = value
	}
	return nil
}
