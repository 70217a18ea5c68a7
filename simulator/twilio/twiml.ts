import { childElements, parseXml } from './xml.ts';
import type { XmlAttribute, XmlElement } from './xml.ts';

/**
 * TwiML → `<Connect>` + `<ConversationRelay>` settings with their documented defaults
 * (conversationrelay.md §4). Pure; expected failures are values that name the problem and where.
 */

/** Who may interrupt (or be reported during) agent speech. */
export type InputKind = 'none' | 'dtmf' | 'speech' | 'any';
/** Text-to-speech providers. */
export type TtsProvider = 'Google' | 'Amazon' | 'ElevenLabs' | 'Deepgram';
/** Speech-to-text providers. */
export type TranscriptionProvider = 'Google' | 'Deepgram';

/** Every `<ConversationRelay>` attribute, defaulted. Attributes without a default stay undefined. */
export interface ConversationRelayAttributes {
  readonly url: string;
  readonly welcomeGreeting?: string;
  readonly welcomeGreetingInterruptible: InputKind;
  readonly language: string;
  readonly ttsLanguage?: string;
  readonly ttsProvider: TtsProvider;
  /** Defaults per provider: ElevenLabs `UgBBYS2sOqTuMpoF3BR0`, Google `en-US-Journey-O`, Amazon `Joanna-Neural`. */
  readonly voice?: string;
  readonly transcriptionLanguage?: string;
  readonly transcriptionProvider: TranscriptionProvider;
  /** Defaults per provider: Google `telephony`, Deepgram `nova-3-general`. */
  readonly speechModel: string;
  readonly deepgramSmartFormat: boolean;
  readonly interruptible: InputKind;
  readonly interruptSensitivity: 'low' | 'medium' | 'high';
  readonly dtmfDetection: boolean;
  readonly reportInputDuringAgentSpeech: InputKind;
  readonly preemptible: boolean;
  readonly hints?: string;
  readonly debug: readonly string[];
  readonly events: readonly string[];
  readonly elevenlabsTextNormalization: 'on' | 'auto' | 'off';
  readonly intelligenceService?: string;
  readonly partialPrompts: boolean;
  readonly profanityFilter: boolean;
  readonly ignoreBackchannel: boolean;
  readonly speechTimeout?: string;
  readonly backgroundNoiseReduction: boolean;
  readonly eotThreshold?: number;
  readonly conversationConfiguration?: string;
  readonly applicationReconnect: boolean;
  readonly turnDetection?: string;
}

/** A `<Language>` child; unset fields inherit from the parent `<ConversationRelay>`. */
export interface LanguageElement {
  readonly code: string;
  readonly ttsProvider?: TtsProvider;
  readonly voice?: string;
  readonly transcriptionProvider?: TranscriptionProvider;
  readonly speechModel?: string;
}

/** The parsed `<Connect><ConversationRelay>` document. */
export interface ConversationRelayTwiml {
  readonly connect: { readonly action?: string; readonly method: 'GET' | 'POST' };
  readonly relay: ConversationRelayAttributes;
  /** Canonical names of the attributes the document set explicitly (the rest are defaults). */
  readonly explicitAttributes: readonly string[];
  readonly languages: readonly LanguageElement[];
  /** `<Parameter>` children in order; these become `setup.customParameters`. */
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  /** Names of the `<Response>` verbs before and after `<Connect>` (not executed by the fake). */
  readonly verbsBefore: readonly string[];
  readonly verbsAfter: readonly string[];
  /** Things a strict reader notices but Twilio would likely accept (unknown attributes, …). */
  readonly warnings: readonly string[];
}

/** One problem found in a TwiML document. */
export interface TwimlIssue {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Result of {@link parseConversationRelayTwiml}. */
export type TwimlParseResult =
  | { readonly ok: true; readonly twiml: ConversationRelayTwiml }
  | { readonly ok: false; readonly errors: readonly TwimlIssue[] };

const INPUT_KINDS = ['none', 'dtmf', 'speech', 'any'] as const;
const TTS_PROVIDERS = ['Google', 'Amazon', 'ElevenLabs', 'Deepgram'] as const;
const STT_PROVIDERS = ['Google', 'Deepgram'] as const;
const DEFAULT_VOICES: Readonly<Record<TtsProvider, string | undefined>> = {
  ElevenLabs: 'UgBBYS2sOqTuMpoF3BR0',
  Google: 'en-US-Journey-O',
  Amazon: 'Joanna-Neural',
  Deepgram: undefined,
};
const DEFAULT_SPEECH_MODELS: Readonly<Record<TranscriptionProvider, string>> = { Google: 'telephony', Deepgram: 'nova-3-general' };
const BCP47 = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

type AttrKind =
  | { readonly type: 'string' }
  | { readonly type: 'language'; readonly allowMulti: boolean }
  | { readonly type: 'bool' }
  | { readonly type: 'input'; readonly legacyBool: boolean }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list' }
  | { readonly type: 'number'; readonly min: number; readonly max: number };

/** Canonical attribute name → kind. Lower-case spellings are accepted as aliases (§4.2). */
const RELAY_ATTRIBUTES: Readonly<Record<string, AttrKind>> = {
  url: { type: 'string' },
  welcomeGreeting: { type: 'string' },
  welcomeGreetingInterruptible: { type: 'input', legacyBool: true },
  language: { type: 'language', allowMulti: true },
  ttsLanguage: { type: 'language', allowMulti: true },
  ttsProvider: { type: 'enum', values: TTS_PROVIDERS },
  voice: { type: 'string' },
  transcriptionLanguage: { type: 'language', allowMulti: true },
  transcriptionProvider: { type: 'enum', values: STT_PROVIDERS },
  speechModel: { type: 'string' },
  deepgramSmartFormat: { type: 'bool' },
  interruptible: { type: 'input', legacyBool: true },
  interruptSensitivity: { type: 'enum', values: ['low', 'medium', 'high'] },
  dtmfDetection: { type: 'bool' },
  // SDK typings still say boolean (conversationrelay.md §7.4), so true/false are accepted too.
  reportInputDuringAgentSpeech: { type: 'input', legacyBool: true },
  preemptible: { type: 'bool' },
  hints: { type: 'string' },
  debug: { type: 'list' },
  events: { type: 'list' },
  elevenlabsTextNormalization: { type: 'enum', values: ['on', 'auto', 'off'] },
  intelligenceService: { type: 'string' },
  partialPrompts: { type: 'bool' },
  profanityFilter: { type: 'bool' },
  ignoreBackchannel: { type: 'bool' },
  speechTimeout: { type: 'string' },
  backgroundNoiseReduction: { type: 'bool' },
  eotThreshold: { type: 'number', min: 0.5, max: 0.9 },
  conversationConfiguration: { type: 'string' },
  applicationReconnect: { type: 'bool' },
  turnDetection: { type: 'string' },
};

const LANGUAGE_ATTRIBUTES: Readonly<Record<string, AttrKind>> = {
  code: { type: 'language', allowMulti: true },
  ttsProvider: { type: 'enum', values: TTS_PROVIDERS },
  voice: { type: 'string' },
  transcriptionProvider: { type: 'enum', values: STT_PROVIDERS },
  speechModel: { type: 'string' },
};

type AttrValue = string | boolean | number | readonly string[];

class Issues {
  readonly errors: TwimlIssue[] = [];
  readonly warnings: string[] = [];
  error(message: string, at?: { line: number; column: number }): void {
    this.errors.push(at ? { message, line: at.line, column: at.column } : { message });
  }
}

function where(at: { line: number; column: number }): string {
  return `line ${at.line}, column ${at.column}`;
}

function convert(element: string, name: string, kind: AttrKind, attr: XmlAttribute, issues: Issues): AttrValue | undefined {
  const raw = attr.value;
  const bad = (expected: string): undefined => {
    issues.error(`<${element}> attribute ${name}="${raw}" is invalid: expected ${expected}`, attr);
    return undefined;
  };
  switch (kind.type) {
    case 'string':
      return raw;
    case 'language':
      if (kind.allowMulti && raw === 'multi') return raw;
      return BCP47.test(raw) ? raw : bad(`a BCP-47 language tag such as en-US${kind.allowMulti ? " or 'multi'" : ''}`);
    case 'bool': {
      const lower = raw.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : bad('true or false');
    }
    case 'input': {
      const lower = raw.trim().toLowerCase();
      if ((INPUT_KINDS as readonly string[]).includes(lower)) return lower;
      if (kind.legacyBool && lower === 'true') return 'any';
      if (kind.legacyBool && lower === 'false') return 'none';
      return bad(`one of none, dtmf, speech, any${kind.legacyBool ? ' (or legacy true/false)' : ''}`);
    }
    case 'enum': {
      const match = kind.values.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      return match ?? bad(`one of ${kind.values.join(', ')}`);
    }
    case 'list':
      return raw.split(/\s+/).filter((s) => s !== '');
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && n >= kind.min && n <= kind.max ? n : bad(`a number from ${kind.min} to ${kind.max}`);
    }
  }
}

/** Reads an element's attributes against a spec; lower-case aliases map to the canonical name. */
function readAttributes(
  element: XmlElement,
  spec: Readonly<Record<string, AttrKind>>,
  issues: Issues,
): Map<string, AttrValue> {
  const byAlias = new Map<string, string>();
  for (const name of Object.keys(spec)) {
    byAlias.set(name, name);
    byAlias.set(name.toLowerCase(), name);
  }
  const values = new Map<string, AttrValue>();
  const seenAs = new Map<string, string>();
  for (const attr of element.attributes) {
    const canonical = byAlias.get(attr.name);
    if (canonical === undefined) {
      issues.warnings.push(`<${element.name}> has unknown attribute '${attr.name}' at ${where(attr)}; ignored`);
      continue;
    }
    const previous = seenAs.get(canonical);
    if (previous !== undefined) {
      issues.error(`<${element.name}> sets ${canonical} twice (as '${previous}' and '${attr.name}')`, attr);
      continue;
    }
    seenAs.set(canonical, attr.name);
    const kind = spec[canonical];
    if (kind === undefined) continue;
    const value = convert(element.name, canonical, kind, attr, issues);
    if (value !== undefined) values.set(canonical, value);
  }
  return values;
}

function relayAttributes(element: XmlElement, issues: Issues): { relay: ConversationRelayAttributes; explicit: string[] } | undefined {
  const v = readAttributes(element, RELAY_ATTRIBUTES, issues);
  const str = (k: string): string | undefined => v.get(k) as string | undefined;
  const bool = (k: string, d: boolean): boolean => (v.get(k) as boolean | undefined) ?? d;
  const input = (k: string, d: InputKind): InputKind => (v.get(k) as InputKind | undefined) ?? d;
  const url = str('url');
  const urlAttr = element.attributes.find((a) => a.name === 'url');
  if (urlAttr === undefined) {
    issues.error('<ConversationRelay> is missing the required url attribute (a wss:// URL of your WebSocket server)', element);
    return undefined;
  }
  if (url === undefined) return undefined;
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = new URL(url);
  } catch {
    issues.error(`<ConversationRelay> url="${url}" is not a valid absolute URL`, urlAttr);
    return undefined;
  }
  if (parsedUrl.protocol !== 'wss:') {
    issues.error(`<ConversationRelay> url="${url}" must begin with wss:// (found ${parsedUrl.protocol}//)`, urlAttr);
    return undefined;
  }
  const ttsProvider = (str('ttsProvider') as TtsProvider | undefined) ?? 'ElevenLabs';
  const transcriptionProvider = (str('transcriptionProvider') as TranscriptionProvider | undefined) ?? 'Deepgram';
  const voice = str('voice') ?? DEFAULT_VOICES[ttsProvider];
  const relay: ConversationRelayAttributes = {
    url,
    welcomeGreeting: str('welcomeGreeting'),
    welcomeGreetingInterruptible: input('welcomeGreetingInterruptible', 'any'),
    language: str('language') ?? 'en-US',
    ttsLanguage: str('ttsLanguage'),
    ttsProvider,
    voice,
    transcriptionLanguage: str('transcriptionLanguage'),
    transcriptionProvider,
    speechModel: str('speechModel') ?? DEFAULT_SPEECH_MODELS[transcriptionProvider],
    deepgramSmartFormat: bool('deepgramSmartFormat', true),
    interruptible: input('interruptible', 'any'),
    interruptSensitivity: (str('interruptSensitivity') as ConversationRelayAttributes['interruptSensitivity'] | undefined) ?? 'high',
    dtmfDetection: bool('dtmfDetection', false),
    reportInputDuringAgentSpeech: input('reportInputDuringAgentSpeech', 'none'),
    preemptible: bool('preemptible', false),
    hints: str('hints'),
    debug: (v.get('debug') as readonly string[] | undefined) ?? [],
    events: (v.get('events') as readonly string[] | undefined) ?? [],
    elevenlabsTextNormalization: (str('elevenlabsTextNormalization') as 'on' | 'auto' | 'off' | undefined) ?? 'off',
    intelligenceService: str('intelligenceService'),
    partialPrompts: bool('partialPrompts', false),
    profanityFilter: bool('profanityFilter', true),
    ignoreBackchannel: bool('ignoreBackchannel', false),
    speechTimeout: str('speechTimeout'),
    backgroundNoiseReduction: bool('backgroundNoiseReduction', false),
    eotThreshold: v.get('eotThreshold') as number | undefined,
    conversationConfiguration: str('conversationConfiguration'),
    applicationReconnect: bool('applicationReconnect', false),
    turnDetection: str('turnDetection'),
  };
  if (relay.transcriptionLanguage === 'multi' && relay.transcriptionProvider !== 'Deepgram') {
    issues.error(`<ConversationRelay> transcriptionLanguage="multi" needs transcriptionProvider Deepgram (found ${relay.transcriptionProvider})`, element);
  }
  return { relay, explicit: [...v.keys()] };
}

function languageElement(element: XmlElement, parent: ConversationRelayAttributes | undefined, issues: Issues): LanguageElement | undefined {
  const v = readAttributes(element, LANGUAGE_ATTRIBUTES, issues);
  const code = v.get('code') as string | undefined;
  if (code === undefined) {
    if (!element.attributes.some((a) => a.name === 'code')) {
      issues.error('<Language> is missing the required code attribute (a BCP-47 tag or multi)', element);
    }
    return undefined;
  }
  const language: LanguageElement = {
    code,
    ttsProvider: v.get('ttsProvider') as TtsProvider | undefined,
    voice: v.get('voice') as string | undefined,
    transcriptionProvider: v.get('transcriptionProvider') as TranscriptionProvider | undefined,
    speechModel: v.get('speechModel') as string | undefined,
  };
  if (code === 'multi' && parent) {
    const tts = language.ttsProvider ?? parent.ttsProvider;
    const stt = language.transcriptionProvider ?? parent.transcriptionProvider;
    if (tts !== 'ElevenLabs') issues.error(`<Language code="multi"> needs ttsProvider ElevenLabs (found ${tts})`, element);
    if (stt !== 'Deepgram') issues.error(`<Language code="multi"> needs transcriptionProvider Deepgram (found ${stt})`, element);
  }
  return language;
}

function parameterElement(element: XmlElement, issues: Issues): { name: string; value: string } | undefined {
  const name = element.attributes.find((a) => a.name === 'name')?.value;
  const value = element.attributes.find((a) => a.name === 'value')?.value;
  for (const attr of element.attributes) {
    if (attr.name !== 'name' && attr.name !== 'value') issues.warnings.push(`<Parameter> has unknown attribute '${attr.name}' at ${where(attr)}; ignored`);
  }
  if (name === undefined || name === '') {
    issues.error('<Parameter> needs a non-empty name attribute', element);
    return undefined;
  }
  if (value === undefined) issues.warnings.push(`<Parameter name="${name}"> has no value attribute at ${where(element)}; using ""`);
  return { name, value: value ?? '' };
}

function connectAttributes(element: XmlElement, baseUrl: string | undefined, issues: Issues): ConversationRelayTwiml['connect'] {
  let action: string | undefined;
  let method: 'GET' | 'POST' = 'POST';
  for (const attr of element.attributes) {
    if (attr.name === 'action') {
      try {
        // An absolute action is kept verbatim because that exact string is what gets signed.
        const resolved = new URL(attr.value, baseUrl).toString();
        action = /^[a-z][a-z0-9+.-]*:/i.test(attr.value) ? attr.value : resolved;
      } catch {
        issues.error(`<Connect> action="${attr.value}" is not a valid URL${baseUrl ? '' : ' (relative URLs need the webhook URL as base)'}`, attr);
      }
    } else if (attr.name === 'method') {
      const upper = attr.value.trim().toUpperCase();
      if (upper === 'GET' || upper === 'POST') method = upper;
      else issues.error(`<Connect> method="${attr.value}" is invalid: expected GET or POST`, attr);
    } else {
      issues.warnings.push(`<Connect> has unknown attribute '${attr.name}' at ${where(attr)}; ignored`);
    }
  }
  return action === undefined ? { method } : { action, method };
}

/** Options for {@link parseConversationRelayTwiml}. */
export interface ParseTwimlOptions {
  /** The URL the TwiML was fetched from; relative `<Connect action>` URLs resolve against it. */
  readonly baseUrl?: string;
}

/**
 * Parses a TwiML document that must contain `<Response><Connect><ConversationRelay url="wss://…">`;
 * fills every attribute default from conversationrelay.md §4.1/§4.2 and collects `<Language>` and
 * `<Parameter>` children. Returns every problem found, each with its position where known.
 */
export function parseConversationRelayTwiml(source: string, options: ParseTwimlOptions = {}): TwimlParseResult {
  const xml = parseXml(source);
  if (!xml.ok) return { ok: false, errors: [{ message: `malformed XML: ${xml.error.message}`, line: xml.error.line, column: xml.error.column }] };
  const issues = new Issues();
  const root = xml.root;
  if (root.name !== 'Response') {
    return { ok: false, errors: [{ message: `the root element must be <Response>, found <${root.name}>`, line: root.line, column: root.column }] };
  }
  const verbs = childElements(root);
  const connectIndex = verbs.findIndex((e) => e.name === 'Connect');
  const connect = verbs[connectIndex];
  if (connect === undefined) {
    const found = verbs.length ? verbs.map((e) => `<${e.name}>`).join(', ') : 'no verbs';
    return { ok: false, errors: [{ message: `<Response> has no <Connect> verb (found ${found})`, line: root.line, column: root.column }] };
  }
  const connectAttrs = connectAttributes(connect, options.baseUrl, issues);
  const nouns = childElements(connect);
  const relays = nouns.filter((e) => e.name === 'ConversationRelay');
  const relayElement = relays[0];
  if (relayElement === undefined) {
    const found = nouns.length ? nouns.map((e) => `<${e.name}>`).join(', ') : 'nothing';
    issues.error(`<Connect> has no <ConversationRelay> noun (found ${found})`, connect);
    return { ok: false, errors: issues.errors };
  }
  for (const extra of nouns.filter((e) => e !== relayElement)) {
    issues.error(`<Connect> must contain exactly one noun; unexpected <${extra.name}>`, extra);
  }
  for (const text of connect.children) {
    if (text.kind === 'text' && text.text.trim() !== '') issues.error(`unexpected text '${text.text.trim()}' inside <Connect>`, text);
  }
  const attrs = relayAttributes(relayElement, issues);
  const languages: LanguageElement[] = [];
  const parameters: { name: string; value: string }[] = [];
  for (const child of relayElement.children) {
    if (child.kind === 'text') {
      if (child.text.trim() !== '') issues.error(`unexpected text '${child.text.trim()}' inside <ConversationRelay>`, child);
      continue;
    }
    if (child.name === 'Language') {
      const language = languageElement(child, attrs?.relay, issues);
      if (language) languages.push(language);
    } else if (child.name === 'Parameter') {
      const parameter = parameterElement(child, issues);
      if (parameter) {
        if (parameters.some((p) => p.name === parameter.name)) {
          issues.warnings.push(`<Parameter name="${parameter.name}"> repeated at ${where(child)}; the last value wins in customParameters`);
        }
        parameters.push(parameter);
      }
    } else {
      issues.warnings.push(`<ConversationRelay> has unsupported child <${child.name}> at ${where(child)}; ignored`);
    }
  }
  if (issues.errors.length > 0 || attrs === undefined) return { ok: false, errors: issues.errors };
  return {
    ok: true,
    twiml: {
      connect: connectAttrs,
      relay: attrs.relay,
      explicitAttributes: attrs.explicit,
      languages,
      parameters,
      verbsBefore: verbs.slice(0, connectIndex).map((e) => e.name),
      verbsAfter: verbs.slice(connectIndex + 1).map((e) => e.name),
      warnings: issues.warnings,
    },
  };
}

/** `setup.customParameters` from the `<Parameter>` children (a repeated name keeps its last value). */
export function customParametersOf(twiml: ConversationRelayTwiml): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of twiml.parameters) out[p.name] = p.value;
  return out;
}

/** The top-level verb names of any TwiML `<Response>` (e.g. an action-callback answer), or an issue. */
export function listTwimlVerbs(source: string): { ok: true; verbs: string[] } | { ok: false; error: TwimlIssue } {
  const xml = parseXml(source);
  if (!xml.ok) return { ok: false, error: { message: `malformed XML: ${xml.error.message}`, line: xml.error.line, column: xml.error.column } };
  if (xml.root.name !== 'Response') {
    return { ok: false, error: { message: `the root element must be <Response>, found <${xml.root.name}>`, line: xml.root.line, column: xml.root.column } };
  }
  return { ok: true, verbs: childElements(xml.root).map((e) => e.name) };
}
