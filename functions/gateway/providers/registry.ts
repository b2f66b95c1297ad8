// The adapter for each provider type in config: OpenAI-wire providers share one base, Anthropic and
// Workers AI translate. Adapters are stateless; per-stream state lives in their stream mappers.
import { anthropicAdapter } from "./anthropic";
import { openAiAdapter, openAiCompatibleAdapter, simulatedAdapter } from "./openai-compatible";
import type { ProviderAdapter, ProviderType } from "./types";
import { workersAiAdapter } from "./workers-ai";

const ADAPTERS: Record<ProviderType, ProviderAdapter> = {
  openai: openAiAdapter,
  "openai-compatible": openAiCompatibleAdapter,
  simulated: simulatedAdapter,
  anthropic: anthropicAdapter,
  "workers-ai": workersAiAdapter,
};

/** The adapter that speaks the wire of a provider type. */
export function adapterFor(type: ProviderType): ProviderAdapter {
  return ADAPTERS[type];
}
