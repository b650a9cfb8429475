// Package llm is the LLM client of Parley's scripts: it implements
// runtime.LLM over an OpenAI-compatible chat-completions endpoint with
// github.com/openai/openai-go, streaming the reply.
//
// Client (client.go) picks the endpoint, model and key of each call (the
// bot's llm section of bot.yaml first, then the server's --llm-* flags),
// applies the bot's limits (limit.go: max_tokens on the request, a
// sliding window of calls per minute per bot on this node), bounds the
// call with a timeout, and turns every failure into a *runtime.LLMError,
// which the script gets as LLM's nil, err. It does not retry: a failed
// call is the script's to retry or not.
//
// Package llmtest has a local stub of the endpoint for tests.
package llm
