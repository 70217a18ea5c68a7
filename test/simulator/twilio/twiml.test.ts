import { describe, expect, it } from 'vitest';
import { customParametersOf, listTwimlVerbs, parseConversationRelayTwiml } from '../../../simulator/twilio/twiml.ts';
import type { ConversationRelayTwiml } from '../../../simulator/twilio/twiml.ts';

function ok(source: string, baseUrl?: string): ConversationRelayTwiml {
  const result = parseConversationRelayTwiml(source, baseUrl ? { baseUrl } : {});
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.twiml;
}

function errors(source: string): string[] {
  const result = parseConversationRelayTwiml(source);
  if (result.ok) throw new Error('expected TwiML errors');
  return result.errors.map((e) => (e.line === undefined ? e.message : `${e.line}:${e.column} ${e.message}`));
}

const wrap = (relay: string, connect = '<Connect>'): string => `<Response>${connect}${relay}</Connect></Response>`;

describe('parseConversationRelayTwiml', () => {
  it('fills every documented default when only url is given', () => {
    const twiml = ok(wrap('<ConversationRelay url="wss://example.com/relay"/>'));
    expect(twiml.connect).toEqual({ method: 'POST' });
    expect(twiml.explicitAttributes).toEqual(['url']);
    expect(twiml.relay).toEqual({
      url: 'wss://example.com/relay',
      welcomeGreeting: undefined,
      welcomeGreetingInterruptible: 'any',
      language: 'en-US',
      ttsLanguage: undefined,
      ttsProvider: 'ElevenLabs',
      voice: 'UgBBYS2sOqTuMpoF3BR0',
      transcriptionLanguage: undefined,
      transcriptionProvider: 'Deepgram',
      speechModel: 'nova-3-general',
      deepgramSmartFormat: true,
      interruptible: 'any',
      interruptSensitivity: 'high',
      dtmfDetection: false,
      reportInputDuringAgentSpeech: 'none',
      preemptible: false,
      hints: undefined,
      debug: [],
      events: [],
      elevenlabsTextNormalization: 'off',
      intelligenceService: undefined,
      partialPrompts: false,
      profanityFilter: true,
      ignoreBackchannel: false,
      speechTimeout: undefined,
      backgroundNoiseReduction: false,
      eotThreshold: undefined,
      conversationConfiguration: undefined,
      applicationReconnect: false,
      turnDetection: undefined,
    });
    expect(twiml.languages).toEqual([]);
    expect(twiml.parameters).toEqual([]);
  });

  it('reads the documented example with Language and Parameter children (§4.4)', () => {
    const twiml = ok(`<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect action="https://example.com/connect-action">
  <ConversationRelay url="wss://example.com/relay?tenant=acme" welcomeGreeting="Hi! How can I help?"
      interruptible="speech" dtmfDetection="true">
    <Language code="en-US" ttsProvider="Google" voice="en-US-Journey-O"/>
    <Parameter name="tenant" value="acme"/>
  </ConversationRelay>
</Connect></Response>`);
    expect(twiml.connect).toEqual({ action: 'https://example.com/connect-action', method: 'POST' });
    expect(twiml.relay.url).toBe('wss://example.com/relay?tenant=acme');
    expect(twiml.relay.welcomeGreeting).toBe('Hi! How can I help?');
    expect(twiml.relay.interruptible).toBe('speech');
    expect(twiml.relay.dtmfDetection).toBe(true);
    expect(twiml.languages).toEqual([
      { code: 'en-US', ttsProvider: 'Google', voice: 'en-US-Journey-O', transcriptionProvider: undefined, speechModel: undefined },
    ]);
    expect(customParametersOf(twiml)).toEqual({ tenant: 'acme' });
  });

  it('derives voice and speech model defaults from the chosen providers', () => {
    const google = ok(wrap('<ConversationRelay url="wss://x/r" ttsProvider="google" transcriptionProvider="Google"/>'));
    expect([google.relay.ttsProvider, google.relay.voice, google.relay.transcriptionProvider, google.relay.speechModel]).toEqual([
      'Google',
      'en-US-Journey-O',
      'Google',
      'telephony',
    ]);
    expect(ok(wrap('<ConversationRelay url="wss://x/r" ttsProvider="Amazon"/>')).relay.voice).toBe('Joanna-Neural');
  });

  it('maps legacy true/false of interruptible, welcomeGreetingInterruptible and reportInputDuringAgentSpeech', () => {
    const on = ok(wrap('<ConversationRelay url="wss://x/r" interruptible="true" welcomeGreetingInterruptible="false" reportInputDuringAgentSpeech="true"/>'));
    expect([on.relay.interruptible, on.relay.welcomeGreetingInterruptible, on.relay.reportInputDuringAgentSpeech]).toEqual(['any', 'none', 'any']);
    expect(ok(wrap('<ConversationRelay url="wss://x/r" interruptible="false"/>')).relay.interruptible).toBe('none');
  });

  it('accepts the lower-case SDK aliases and reports them under canonical names', () => {
    const twiml = ok(
      wrap(
        '<ConversationRelay url="wss://x/r" partialprompts="true" ignorebackchannel="true" speechtimeout="800" backgroundnoisereduction="true" deepgramsmartformat="false" profanityfilter="false" dtmfdetection="TRUE" events="speaker-events tokens-played"/>',
      ),
    );
    expect(twiml.relay).toMatchObject({
      partialPrompts: true,
      ignoreBackchannel: true,
      speechTimeout: '800',
      backgroundNoiseReduction: true,
      deepgramSmartFormat: false,
      profanityFilter: false,
      dtmfDetection: true,
      events: ['speaker-events', 'tokens-played'],
    });
    expect(twiml.explicitAttributes).toContain('partialPrompts');
  });

  it('resolves a relative action against the webhook URL and reads method', () => {
    const twiml = ok(wrap('<ConversationRelay url="wss://x/r"/>', '<Connect action="/after" method="get">'), 'https://agent.test/voice');
    expect(twiml.connect).toEqual({ action: 'https://agent.test/after', method: 'GET' });
  });

  it('keeps unknown attributes and children as warnings, and other verbs by name', () => {
    const twiml = ok('<Response><Say>hi</Say><Connect><ConversationRelay url="wss://x/r" shiny="1"><Failover/></ConversationRelay></Connect><Hangup/></Response>');
    expect(twiml.warnings).toEqual([
      "<ConversationRelay> has unknown attribute 'shiny' at line 1, column 68; ignored",
      '<ConversationRelay> has unsupported child <Failover> at line 1, column 78; ignored',
    ]);
    expect(twiml.verbsBefore).toEqual(['Say']);
    expect(twiml.verbsAfter).toEqual(['Hangup']);
  });

  it('keeps repeated Parameter names in order; the last wins in customParameters', () => {
    const twiml = ok(wrap('<ConversationRelay url="wss://x/r"><Parameter name="a" value="1"/><Parameter name="a" value="2"/><Parameter name="b"/></ConversationRelay>'));
    expect(twiml.parameters).toEqual([
      { name: 'a', value: '1' },
      { name: 'a', value: '2' },
      { name: 'b', value: '' },
    ]);
    expect(customParametersOf(twiml)).toEqual({ a: '2', b: '' });
    expect(twiml.warnings).toHaveLength(2);
  });

  it.each([
    ['<Response><Say>hi</Say></Response>', '1:1 <Response> has no <Connect> verb (found <Say>)'],
    ['<Response/>', '1:1 <Response> has no <Connect> verb (found no verbs)'],
    ['<Reply/>', '1:1 the root element must be <Response>, found <Reply>'],
    [wrap('<Stream url="wss://x"/>'), '1:11 <Connect> has no <ConversationRelay> noun (found <Stream>)'],
    [wrap('<ConversationRelay/>'), '1:20 <ConversationRelay> is missing the required url attribute (a wss:// URL of your WebSocket server)'],
    [wrap('<ConversationRelay url="https://x/r"/>'), '1:39 <ConversationRelay> url="https://x/r" must begin with wss:// (found https://)'],
    [wrap('<ConversationRelay url="ws://x/r"/>'), '1:39 <ConversationRelay> url="ws://x/r" must begin with wss:// (found ws://)'],
    [wrap('<ConversationRelay url="relay"/>'), '1:39 <ConversationRelay> url="relay" is not a valid absolute URL'],
    [
      wrap('<ConversationRelay url="wss://x/r" interruptible="sometimes"/>'),
      '1:55 <ConversationRelay> attribute interruptible="sometimes" is invalid: expected one of none, dtmf, speech, any (or legacy true/false)',
    ],
    [wrap('<ConversationRelay url="wss://x/r" dtmfDetection="yes"/>'), '1:55 <ConversationRelay> attribute dtmfDetection="yes" is invalid: expected true or false'],
    [wrap('<ConversationRelay url="wss://x/r" ttsProvider="Azure"/>'), '1:55 <ConversationRelay> attribute ttsProvider="Azure" is invalid: expected one of Google, Amazon, ElevenLabs, Deepgram'],
    [wrap('<ConversationRelay url="wss://x/r" interruptSensitivity="max"/>'), '1:55 <ConversationRelay> attribute interruptSensitivity="max" is invalid: expected one of low, medium, high'],
    [wrap('<ConversationRelay url="wss://x/r" language="english"/>'), "1:55 <ConversationRelay> attribute language=\"english\" is invalid: expected a BCP-47 language tag such as en-US or 'multi'"],
    [wrap('<ConversationRelay url="wss://x/r" eotThreshold="2"/>'), '1:55 <ConversationRelay> attribute eotThreshold="2" is invalid: expected a number from 0.5 to 0.9'],
    [wrap('<ConversationRelay url="wss://x/r" partialPrompts="true" partialprompts="false"/>'), "1:77 <ConversationRelay> sets partialPrompts twice (as 'partialPrompts' and 'partialprompts')"],
    [wrap('<ConversationRelay url="wss://x/r"/>', '<Connect method="PUT">'), '1:20 <Connect> method="PUT" is invalid: expected GET or POST'],
    [wrap('<ConversationRelay url="wss://x/r"><Language ttsProvider="Google"/></ConversationRelay>'), '1:55 <Language> is missing the required code attribute (a BCP-47 tag or multi)'],
    [wrap('<ConversationRelay url="wss://x/r"><Language code="multi" ttsProvider="Google"/></ConversationRelay>'), '1:55 <Language code="multi"> needs ttsProvider ElevenLabs (found Google)'],
    [wrap('<ConversationRelay url="wss://x/r"><Parameter value="1"/></ConversationRelay>'), '1:55 <Parameter> needs a non-empty name attribute'],
    [wrap('<ConversationRelay url="wss://x/r"/><ConversationRelay url="wss://y/r"/>'), '1:56 <Connect> must contain exactly one noun; unexpected <ConversationRelay>'],
    ['<Response><Connect><ConversationRelay url="wss://x/r"></Connect></Response>', '1:55 malformed XML: mismatched closing tag: expected </ConversationRelay> but found </Connect>'],
  ])('rejects %j naming the problem', (source, message) => {
    expect(errors(source)).toEqual([message]);
  });

  it('reports several problems of one document together', () => {
    expect(errors(wrap('<ConversationRelay url="wss://x/r" interruptible="x" preemptible="maybe"/>'))).toHaveLength(2);
  });
});

describe('listTwimlVerbs', () => {
  it('lists the verbs of an action-callback answer or explains why it cannot', () => {
    expect(listTwimlVerbs('<Response><Dial>+15550100</Dial><Hangup/></Response>')).toEqual({ ok: true, verbs: ['Dial', 'Hangup'] });
    expect(listTwimlVerbs('OK')).toMatchObject({ ok: false, error: { line: 1, column: 1 } });
  });
});
