package dialogs

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"

	"parley/runtime"
)

// llmSection is bot.yaml's llm: the bot's endpoint, model and limits for
// LLM (runtime.BotLLM). Every field is optional.
type llmSection struct {
	BaseURL        string  `yaml:"base_url"`
	Model          string  `yaml:"model"`
	APIKeyEnv      string  `yaml:"api_key_env"`
	MaxTokens      int     `yaml:"max_tokens"`
	CallsPerMinute int     `yaml:"calls_per_minute"`
	Timeout        float64 `yaml:"timeout"` // seconds

	line int
}

// maxLLMTimeout bounds llm.timeout: a dialog waits in the call.
const maxLLMTimeout = 10 * time.Minute

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// llmFields are llmSection's keys: node.Decode does not refuse others, as
// the manifest's decoder does, so UnmarshalYAML does.
var llmFields = map[string]bool{"base_url": true, "model": true, "api_key_env": true, "max_tokens": true, "calls_per_minute": true, "timeout": true}

func (s *llmSection) UnmarshalYAML(n *yaml.Node) error {
	type plain llmSection // without this method
	s.line = n.Line
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; !llmFields[k.Value] {
				return fmt.Errorf("line %d: field %s not found (llm has base_url, model, api_key_env, max_tokens, calls_per_minute, timeout)", k.Line, k.Value)
			}
		}
	}
	return n.Decode((*plain)(s))
}

// check validates the section and returns it as the runtime has it.
func (s *llmSection) check(id runtime.BotID) (runtime.BotLLM, error) {
	if s == nil {
		return runtime.BotLLM{}, nil
	}
	if err := s.problem(); err != nil {
		return runtime.BotLLM{}, &ScriptError{Bot: id, File: manifestFile, Line: s.line, Err: fmt.Errorf("llm: %w", err)}
	}
	return runtime.BotLLM{
		BaseURL: s.BaseURL, Model: s.Model, APIKeyEnv: s.APIKeyEnv,
		MaxTokens: s.MaxTokens, CallsPerMinute: s.CallsPerMinute,
		Timeout: time.Duration(s.Timeout * float64(time.Second)),
	}, nil
}

func (s *llmSection) problem() error {
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("base_url must be an http or https URL, not %q", s.BaseURL)
		}
	}
	switch {
	case s.APIKeyEnv != "" && !envName.MatchString(s.APIKeyEnv):
		return fmt.Errorf("api_key_env must name an environment variable, not %q", s.APIKeyEnv)
	case s.MaxTokens < 0:
		return errors.New("max_tokens must not be negative (0: no limit)")
	case s.CallsPerMinute < 0:
		return errors.New("calls_per_minute must not be negative (0: no limit)")
	case s.Timeout < 0 || s.Timeout > maxLLMTimeout.Seconds():
		return fmt.Errorf("timeout must be between 0 and %.0f seconds (0: the server's --llm-timeout)", maxLLMTimeout.Seconds())
	}
	return nil
}
