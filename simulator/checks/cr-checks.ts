/**
 * CR-*: the ConversationRelay protocol (conversationrelay.md). Judged from the fake Twilio's relay
 * session record (frames both ways, talk cycles, caller actions, protocol errors) and, where the
 * question is what the agent told the model, from the fake LLM's request records.
 */
import type { Evidence } from './check-result.ts';
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import type { ConversationRelayTwiml } from '../twilio/twiml.ts';
import {
  agentFrames,
  callerInputs,
  dtmfFrames,
  endedAt,
  finalPrompts,
  frameLabel,
  framesOf,
  interruptFrames,
  partialPrompts,
  relayOpened,
  textFrames,
  typedFrames,
} from './call-view.ts';
import { answerAfter } from './answer-view.ts';
import { callLlmRequests, finishReasonSent, historyOf, lastUserText, llmText, requestLabel } from './llm-view.ts';
import { CHECK_TOLERANCES } from './tolerances.ts';
import { evidence, listOf, ms, note, quote, verdictsFor, type CheckEvaluator } from './verdicts.ts';

const T = CHECK_TOLERANCES;

function frameEvidence(call: CallRecord, frame: { index: number } & Parameters<typeof frameLabel>[0]): Evidence {
  return evidence('frame', call.index, frame.index, frameLabel(frame));
}

/** A scenario that signs Twilio's requests wrongly on purpose is judged by the SEC checks instead. */
function deliberatelyUnsigned(record: RunRecord): boolean {
  return record.scenario.twilio.signWebhook !== 'valid' && record.agent.signing.twilioAuthToken;
}

/** Applies `judge` to every call that reached the relay socket; the others are skipped. */
function perRelayCall(
  checkId: string,
  judge: (record: RunRecord, call: CallRecord, v: ReturnType<typeof verdictsFor>) => ReturnType<ReturnType<typeof verdictsFor>['pass']>,
): CheckEvaluator {
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      if (!call.relay) return call.webhook?.failure || deliberatelyUnsigned(record) ? v.skip(call.index, 'the call never reached the relay socket') : v.missing(call.index, 'no relay session was recorded');
      if (!relayOpened(call)) return v.skip(call.index, 'the relay socket never opened (CR-RELAY-REACHABLE judges it)');
      return judge(record, call, v);
    });
  };
}

const twimlValid: CheckEvaluator = (record) => {
  const v = verdictsFor('CR-TWIML-VALID');
  return record.calls.map((call) => {
    if (deliberatelyUnsigned(record)) return v.skip(call.index, 'the voice webhook is signed wrongly on purpose (SEC-WEBHOOK-SIGNATURE judges the answer)');
    const webhook = call.webhook;
    if (!webhook) return v.missing(call.index, 'the voice webhook was never sent');
    const ex = webhook.exchange;
    const ev = [evidence('http', call.index, 'webhook', `voice webhook ${ex.method} ${ex.url}: ${ex.response ? `HTTP ${ex.response.status}` : (ex.error?.message ?? 'no answer')}`)];
    if (webhook.failure) {
      const f = webhook.failure;
      const why =
        f.kind === 'invalid-twiml'
          ? `invalid TwiML: ${listOf(f.errors.map((e) => `${e.message}${e.line === undefined ? '' : ` (line ${e.line})`}`))}`
          : f.kind === 'http-status'
            ? `HTTP ${f.status}`
            : f.kind === 'content-type'
              ? `content type ${f.contentType ?? '(none)'} is not XML`
              : f.kind === 'timeout'
                ? `no answer within ${f.timeoutMs} ms`
                : `network error: ${f.message}`;
      return v.violated(call.index, `the voice webhook did not answer usable TwiML: ${why}`, ev);
    }
    const twiml = webhook.twiml as ConversationRelayTwiml | undefined;
    const url = twiml?.relay?.url;
    if (typeof url !== 'string') return v.missing(call.index, 'the parsed TwiML was not recorded', ev);
    if (!url.startsWith('wss://')) return v.violated(call.index, `<ConversationRelay url> is ${JSON.stringify(url)}, not wss://`, ev);
    return v.pass(call.index, `<Connect><ConversationRelay url="${url}">`, ev);
  });
};

const relayReachable: CheckEvaluator = (record) => {
  const v = verdictsFor('CR-RELAY-REACHABLE');
  return record.calls.map((call) => {
    if (deliberatelyUnsigned(record)) return v.skip(call.index, 'the handshake is signed wrongly on purpose (SEC-HANDSHAKE-SIGNATURE judges it)');
    if (!call.webhook || call.webhook.failure) return v.skip(call.index, 'there was no usable TwiML to connect with (CR-TWIML-VALID judges it)');
    const connect = call.relay?.connect;
    if (!call.relay || !connect) return v.missing(call.index, 'no connection attempt was recorded');
    const ev = [evidence('note', call.index, undefined, `WebSocket handshake to ${call.relay.handshake.connectUrl}: ${connect.status}${connect.status === 'failed' ? ` (${connect.reason})` : ''}`)];
    if (connect.status !== 'open') return v.violated(call.index, `the handshake failed: ${connect.reason}${connect.httpStatus === undefined ? '' : ` (HTTP ${connect.httpStatus})`}`, ev);
    return v.pass(call.index, 'the signed handshake was accepted', ev);
  });
};

const framesValid = perRelayCall('CR-FRAMES-VALID', (_record, call, v) => {
  const errors = call.relay?.protocolErrors ?? [];
  const count = framesOf(call).filter((f) => f.dir === 'in').length;
  if (errors.length > 0) {
    return v.violated(
      call.index,
      `${errors.length} of ${count} agent frame(s) were invalid: ${listOf(errors.map((e) => `#${e.frameIndex} ${e.reason}`), 3)}`,
      errors.map((e) => evidence('frame', call.index, e.frameIndex, `frame #${e.frameIndex} at ${Math.round(e.at)} ms: ${e.reason}`)),
    );
  }
  return v.pass(call.index, `all ${count} agent frame(s) were valid`);
});

const tokensUntrimmed = perRelayCall('CR-TOKENS-UNTRIMMED', (record, call, v) => {
  const tokens = textFrames(call);
  const joined = tokens.map((t) => t.token).join('');
  const inputs = callerInputs(call).map((a) => a.at);
  let cursor = 0;
  let checked = 0;
  let notAttributable = 0;
  const bad: Evidence[] = [];
  for (const request of callLlmRequests(record, call)) {
    const written = llmText(request);
    if (written === '') continue;
    const until = (request.endedAtMs ?? request.receivedAtMs) + T.interruptGraceMs;
    // A reply cut by the caller is legitimately sent only in part, so its text cannot be compared.
    if (request.outcome !== 'completed' || inputs.some((at) => at >= request.receivedAtMs && at <= until)) {
      notAttributable++;
      continue;
    }
    checked++;
    const at = joined.indexOf(written, cursor);
    if (at >= 0) {
      cursor = at + written.length;
      continue;
    }
    const squeezed = (s: string) => s.replace(/\s+/g, '');
    const how = joined.replace(/\s+/g, '').includes(squeezed(written)) ? 'whitespace was changed or trimmed' : 'the text sent differs';
    const from = request.firstTokenAtMs ?? request.receivedAtMs;
    const sent = tokens.filter((t) => t.frame.at >= from && t.frame.at <= until + 1000);
    bad.push(
      evidence('llm-request', call.index, request.seq, `${requestLabel(request)} streamed ${quote(written)}`),
      evidence('frame', call.index, sent[0]?.frame.index, `the agent sent ${quote(sent.map((t) => t.token).join(''))} in ${sent.length} text frame(s) (${how})`),
    );
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length / 2} LLM completion(s) were not streamed verbatim`, bad);
  if (checked === 0) return v.skip(call.index, notAttributable > 0 ? 'every completion was cut by the caller, so none can be compared' : 'the LLM streamed no text for this call');
  return v.pass(call.index, `the text of ${checked} completion(s) was sent verbatim${notAttributable > 0 ? ` (${notAttributable} cut by the caller not compared)` : ''}`);
});

const cycleEndsLast = perRelayCall('CR-CYCLE-ENDS-LAST', (record, call, v) => {
  const cycles = (call.relay?.talkCycles ?? []).filter((c) => c.kind === 'text');
  if (cycles.length === 0) return v.skip(call.index, 'the agent sent no text');
  const inputs = callerInputs(call);
  const requests = callLlmRequests(record, call);
  // The caller cut the reply only if it was still in progress when the caller acted: its last token
  // came at most the grace bound before, or the latest LLM request was still open (or had just
  // ended, or asked for tools, so more of the reply was coming).
  const inProgress = (at: number, lastTokenAt: number): boolean => {
    if (at <= lastTokenAt + T.interruptGraceMs) return true;
    const latest = requests.filter((r) => r.receivedAtMs <= at).at(-1);
    if (!latest) return false;
    return latest.endedAtMs === null || latest.endedAtMs + T.interruptGraceMs >= at || finishReasonSent(latest) === 'tool_calls';
  };
  const bad: Evidence[] = [];
  let exempt = 0;
  for (const cycle of cycles) {
    if (cycle.lastReceived) continue;
    const firstAt = cycle.tokens[0]?.at ?? Number.POSITIVE_INFINITY;
    const timedOut = call.steps.find(
      (s) => s.kind === 'waitForReply' && s.outcome === 'timeout' && (s.cycle === cycle.index || (s.cycle === undefined && s.endedAtMs >= firstAt)),
    );
    const lastAt = cycle.tokens.at(-1)?.at ?? firstAt;
    const cutByCaller = cycle.status === 'interrupted' || inputs.some((a) => a.at >= firstAt && inProgress(a.at, lastAt));
    if (cutByCaller && !timedOut) {
      exempt++;
      continue;
    }
    const lastToken = cycle.tokens.at(-1);
    bad.push(
      evidence(
        timedOut ? 'step' : 'frame',
        call.index,
        timedOut ? timedOut.index : undefined,
        `talk cycle ${cycle.index} ${quote(cycle.text)}: ${cycle.tokens.length} token(s), the last at ${lastToken ? Math.round(lastToken.at) : '?'} ms, no last:true${timedOut ? ` (step ${timedOut.index} timed out waiting for it)` : ''}`,
      ),
    );
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} talk cycle(s) never got last:true`, bad);
  return v.pass(call.index, `${cycles.length - exempt} talk cycle(s) ended with last:true${exempt > 0 ? ` (${exempt} cut by the caller)` : ''}`);
});

const answersPrompt = perRelayCall('CR-ANSWERS-PROMPT', (record, call, v) => {
  const prompts = finalPrompts(call).filter((p) => p.scripted);
  if (prompts.length === 0) return v.skip(call.index, 'the caller said nothing');
  const end = endedAt(call) ?? Number.POSITIVE_INFINITY;
  const cause = call.relay?.end?.cause;
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  let skipped = 0;
  for (const prompt of prompts) {
    const timing = answerAfter(record, call, prompt.frame.at);
    const label = `prompt ${quote(prompt.text)} (frame #${prompt.frame.index})`;
    if (timing.answer && timing.inTime) {
      good.push(evidence('frame', call.index, timing.answer.frame.index, `${label} answered after ${ms(timing.delayMs ?? 0)} (bound ${ms(timing.boundMs)})`));
      continue;
    }
    if (!timing.answer && end < prompt.frame.at + timing.boundMs && cause === 'caller-hangup') {
      skipped++;
      continue;
    }
    bad.push(
      evidence(
        'frame',
        call.index,
        prompt.frame.index,
        timing.answer
          ? `${label} first answered after ${ms(timing.delayMs ?? 0)}, over the bound of ${ms(timing.boundMs)} (${ms(T.answerBoundMs)} + ${ms(timing.llmMs)} waiting for the LLM)`
          : `${label} was never answered${end < Number.POSITIVE_INFINITY ? ` (the session ended by ${cause ?? 'close'} ${ms(end - prompt.frame.at)} later)` : ''}`,
      ),
    );
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} of ${prompts.length} prompt(s) not answered within the bound`, [...bad, ...good]);
  if (good.length === 0) return v.skip(call.index, 'the caller hung up before any prompt could be answered');
  return v.pass(call.index, `${good.length} prompt(s) answered within the bound${skipped > 0 ? ` (${skipped} left unanswered by a caller hang-up)` : ''}`, good);
});

const interruptStops = perRelayCall('CR-INTERRUPT-STOPS', (record, call, v) => {
  const interrupts = interruptFrames(call);
  if (interrupts.length === 0) return v.skip(call.index, 'the caller never interrupted');
  const tokens = textFrames(call).filter((t) => t.token !== '');
  const requests = callLlmRequests(record, call);
  const end = endedAt(call) ?? Number.POSITIVE_INFINITY;
  const bad: Evidence[] = [];
  for (const i of interrupts) {
    const graceEnd = i.frame.at + T.interruptGraceMs;
    // The completion in flight when the caller barged in, and what of it had not been sent yet.
    const old = requests.filter((r) => r.receivedAtMs <= i.frame.at && llmText(r) !== '').at(-1);
    const oldText = old ? llmText(old) : '';
    const sentBefore = old ? tokens.filter((t) => t.frame.at >= (old.firstTokenAtMs ?? old.receivedAtMs) && t.frame.at <= i.frame.at).map((t) => t.token).join('') : '';
    const unsent = oldText.startsWith(sentBefore) ? oldText.slice(sentBefore.length) : oldText;
    // Tokens of the new turn start once the model answers it; anything before that is left over,
    // and afterwards a token is left over when it is unsent text of the old completion only.
    const later = requests.filter((r) => r.receivedAtMs >= i.frame.at);
    const newText = later.map(llmText).join('');
    const firstNew = later[0] ? (later[0].firstTokenAtMs ?? later[0].endedAtMs ?? end) : end;
    const late = tokens.filter((t) => {
      if (t.frame.at <= graceEnd) return false;
      if (t.frame.at < firstNew) return true;
      const piece = t.token.trim();
      return piece !== '' && unsent.includes(piece) && !newText.includes(piece);
    });
    if (late.length > 0) {
      bad.push(
        evidence('frame', call.index, i.frame.index, `interrupt at ${Math.round(i.frame.at)} ms (cycle ${i.action?.interrupt?.cycle ?? '?'})${old ? ` of LLM #${old.seq}` : ''}`),
        ...late.slice(0, 3).map((t) => evidence('frame', call.index, t.frame.index, `${ms(t.frame.at - i.frame.at)} after it: token ${quote(t.token)}`)),
      );
    }
  }
  if (bad.length > 0) return v.violated(call.index, `tokens of an interrupted cycle kept coming more than ${ms(T.interruptGraceMs)} after the interrupt`, bad);
  return v.pass(call.index, `no tokens followed ${interrupts.length} interrupt(s) beyond ${ms(T.interruptGraceMs)}`, interrupts.map((i) => frameEvidence(call, i.frame)));
});

const interruptHistory = perRelayCall('CR-INTERRUPT-HISTORY', (record, call, v) => {
  const cycles = call.relay?.talkCycles ?? [];
  if (interruptFrames(call).length === 0) return v.skip(call.index, 'the caller never interrupted');
  const interrupts = interruptFrames(call).filter((i) => {
    const cycle = cycles.find((c) => c.index === i.action?.interrupt?.cycle);
    return cycle === undefined || cycle.kind === 'text';
  });
  if (interrupts.length === 0) return v.skip(call.index, 'no agent reply was interrupted (interrupting the greeting truncates nothing)');
  const requests = callLlmRequests(record, call);
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  let missing = 0;
  for (const i of interrupts) {
    const next = requests.find((r) => r.receivedAtMs >= i.frame.at && historyOf(r).at(-1)?.role === 'user');
    if (!next) {
      missing++;
      bad.push(evidence('frame', call.index, i.frame.index, `no LLM request with a new user message followed the interrupt at ${Math.round(i.frame.at)} ms`));
      continue;
    }
    const history = historyOf(next);
    const users = history.map((m, k) => (m.role === 'user' ? k : -1)).filter((k) => k >= 0);
    const newUser = users.at(-1) as number;
    const previousUser = users.at(-2) ?? -1;
    const heard = history
      .slice(previousUser + 1, newUser)
      .filter((m) => m.role === 'assistant')
      .map((m) => m.text)
      .join('');
    const label = `${requestLabel(next)}: assistant text ${quote(heard)}; utteranceUntilInterrupt ${quote(i.utterance)}`;
    if (heard.trimEnd() === i.utterance.trimEnd()) good.push(evidence('llm-request', call.index, next.seq, label));
    else bad.push(evidence('frame', call.index, i.frame.index, `interrupt at ${Math.round(i.frame.at)} ms`), evidence('llm-request', call.index, next.seq, label));
  }
  if (bad.length > 0) {
    if (missing === interrupts.length) return v.missing(call.index, 'no LLM request followed the interrupt, so the history cannot be judged', bad);
    return v.violated(call.index, 'the next LLM request does not hold the assistant text truncated to what the caller heard', [...bad, ...good]);
  }
  return v.pass(call.index, `${good.length} interrupt(s): the next request holds exactly what the caller heard`, good);
});

const partialNoTurn = perRelayCall('CR-PARTIAL-NO-TURN', (record, call, v) => {
  const partials = partialPrompts(call);
  if (partials.length === 0) return v.skip(call.index, 'no partial prompts were sent');
  const finals = finalPrompts(call);
  const requests = callLlmRequests(record, call);
  const bad: Evidence[] = [];
  for (const p of partials) {
    const finalIndex = finals.findIndex((f) => f.frame.index > p.frame.index);
    const final = finals[finalIndex];
    const partialText = p.text.trim();
    const sameAsFinal = final !== undefined && final.text.trim() === partialText;
    // Equal texts cannot tell which prompt a request answers: only requests before the final count then.
    const until = sameAsFinal ? final.frame.at : (finals[finalIndex + 1]?.frame.at ?? Number.POSITIVE_INFINITY);
    for (const r of requests) {
      if (r.receivedAtMs < p.frame.at || r.receivedAtMs >= until) continue;
      if (lastUserText(r)?.trim() === partialText) {
        bad.push(evidence('frame', call.index, p.frame.index, `partial prompt ${quote(p.text)}`), evidence('llm-request', call.index, r.seq, requestLabel(r)));
      }
    }
  }
  if (bad.length > 0) return v.violated(call.index, 'a partial prompt started an LLM turn', bad);
  return v.pass(call.index, `${partials.length} partial prompt(s) started no LLM turn`);
});

const dtmfHandled = perRelayCall('CR-DTMF-HANDLED', (record, call, v) => {
  const presses = dtmfFrames(call);
  const unheard = (call.relay?.callerActions ?? []).filter((a) => a.outcome === 'dtmf-detection-off');
  if (unheard.length > 0) {
    return v.violated(
      call.index,
      `the caller pressed ${unheard.length} key(s) but the TwiML leaves dtmfDetection off, so Twilio never reported them`,
      unheard.map((a) => evidence('note', call.index, undefined, `key ${a.digit ?? '?'} pressed at ${Math.round(a.at)} ms: dtmf-detection-off`)),
    );
  }
  if (presses.length === 0) return v.skip(call.index, 'no key was pressed');
  const requests = callLlmRequests(record, call);
  const prompts = finalPrompts(call);
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  for (const d of presses) {
    const nextPrompt = prompts.find((p) => p.frame.at > d.frame.at)?.frame.at ?? Number.POSITIVE_INFINITY;
    const hit = requests.find((r) => r.receivedAtMs >= d.frame.at && r.receivedAtMs < nextPrompt && (lastUserText(r) ?? '').includes(d.digit));
    if (hit) good.push(evidence('llm-request', call.index, hit.seq, `key ${d.digit} (frame #${d.frame.index}) reached ${requestLabel(hit)}`));
    else bad.push(evidence('frame', call.index, d.frame.index, `key ${d.digit} at ${Math.round(d.frame.at)} ms reached no later LLM request as a user message`));
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} of ${presses.length} key press(es) never reached the LLM`, [...bad, ...good]);
  return v.pass(call.index, `${presses.length} key press(es) reached the LLM as user turns`, good);
});

const endHandoffString = perRelayCall('CR-END-HANDOFF-STRING', (_record, call, v) => {
  const ends = agentFrames(call, 'end');
  const first = ends[0];
  if (!first) return v.skip(call.index, 'the agent did not send end');
  const problems: string[] = [];
  const handoff = first.body.handoffData;
  if (handoff !== undefined && typeof handoff !== 'string') problems.push(`handoffData is ${Array.isArray(handoff) ? 'an array' : handoff === null ? 'null' : `a ${typeof handoff}`}, not a string`);
  const after = framesOf(call).filter((f) => f.dir === 'in' && f.index > first.frame.index);
  if (after.length > 0) problems.push(`${after.length} frame(s) followed it`);
  const ev = [frameEvidence(call, first.frame), ...after.slice(0, 3).map((f) => frameEvidence(call, f))];
  if (problems.length > 0) return v.violated(call.index, `end: ${problems.join('; ')}`, ev);
  return v.pass(call.index, `end with ${handoff === undefined ? 'no handoffData' : 'string handoffData'} and nothing after it`, ev);
});

const noSpeechBeforeCaller: CheckEvaluator = (record) => {
  const v = verdictsFor('CR-NO-SPEECH-BEFORE-CALLER');
  const id = 'CR-NO-SPEECH-BEFORE-CALLER';
  const declared = record.scenario.expect.checks.includes(id) || record.scenario.expect.failingChecks.includes(id);
  if (!declared) return [v.skip(undefined, `the scenario does not declare that the agent must wait for the caller (list ${id} under expect.checks to declare it)`)];
  return perRelayCall(id, (_r, call, kit) => {
    const firstInput = typedFrames(call, 'out').find((f) => (f.type === 'prompt' && f.body.last !== false) || f.type === 'dtmf');
    const before = typedFrames(call, 'in').filter((f) => (f.type === 'text' || f.type === 'play') && (firstInput === undefined || f.frame.at < firstInput.frame.at));
    if (before.length > 0) {
      return kit.violated(call.index, `the agent spoke ${before.length} frame(s) before the caller said anything`, before.slice(0, 3).map((f) => frameEvidence(call, f.frame)));
    }
    return kit.pass(call.index, 'the agent waited for the caller', firstInput ? [note(call.index, `first caller input at frame #${firstInput.frame.index}`)] : []);
  })(record);
};

/** The CR evaluators by check id. */
export const CR_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'CR-TWIML-VALID': twimlValid,
  'CR-RELAY-REACHABLE': relayReachable,
  'CR-FRAMES-VALID': framesValid,
  'CR-TOKENS-UNTRIMMED': tokensUntrimmed,
  'CR-CYCLE-ENDS-LAST': cycleEndsLast,
  'CR-ANSWERS-PROMPT': answersPrompt,
  'CR-INTERRUPT-STOPS': interruptStops,
  'CR-INTERRUPT-HISTORY': interruptHistory,
  'CR-PARTIAL-NO-TURN': partialNoTurn,
  'CR-DTMF-HANDLED': dtmfHandled,
  'CR-END-HANDOFF-STRING': endHandoffString,
  'CR-NO-SPEECH-BEFORE-CALLER': noSpeechBeforeCaller,
};
