import twilio from 'twilio';

/** Inputs of {@link connectRelayTwiml}. */
export interface ConnectRelayTwiml {
  /** Where Twilio reports the end of the `<Connect>` verb. */
  readonly actionUrl: string;
  /** The `wss://` URL of the relay socket. */
  readonly relayUrl: string;
  readonly welcomeGreeting: string;
}

/**
 * The answer to an incoming call: hand it to ConversationRelay (conversationrelay.md §4), e.g.
 * `<Response><Connect action="…/connect-action"><ConversationRelay url="wss://…/ws" welcomeGreeting="…" dtmfDetection="true"/></Connect></Response>`.
 * Key presses are switched on because the session turns each `dtmf` into a user turn (§1.3: Twilio
 * sends `dtmf` frames only with `dtmfDetection="true"`).
 */
export function connectRelayTwiml(input: ConnectRelayTwiml): string {
  const response = new twilio.twiml.VoiceResponse();
  response
    .connect({ action: input.actionUrl })
    .conversationRelay({ url: input.relayUrl, welcomeGreeting: input.welcomeGreeting, dtmfDetection: true });
  return response.toString();
}

/** `<Response><Hangup/></Response>`: what the call does once the relay session is over. */
export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
