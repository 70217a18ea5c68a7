import type { IdGenerator } from '../core/ids.ts';

/** Optional caller-ID geography Twilio attaches when it knows it (conversationrelay.md §5.1). */
export interface CallGeo {
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  readonly country: string;
}

/** Who is calling whom: the identity of one simulated inbound call. */
export interface InboundCall {
  readonly callSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly apiVersion: string;
  readonly callerName?: string;
  readonly forwardedFrom?: string;
  readonly parentCallSid?: string;
  readonly applicationSid?: string;
  readonly callToken?: string;
  readonly stirVerstat?: string;
  readonly fromGeo: CallGeo;
  readonly toGeo: CallGeo;
}

/** An ordered list of form parameters; a name may repeat. */
export type FormParams = readonly (readonly [string, string])[];

const UNKNOWN_US: CallGeo = { city: '', state: '', zip: '', country: 'US' };

/**
 * A call whose SIDs and numbers come from the seeded ids (CallSid, AccountSid, From, To, always
 * drawn in that order so later ids do not shift with the overrides); everything is overridable.
 */
export function createInboundCall(ids: IdGenerator, overrides: Partial<InboundCall> = {}): InboundCall {
  const drawn = { callSid: ids.sid('CA'), accountSid: ids.sid('AC'), from: ids.phoneNumber(), to: ids.phoneNumber() };
  return { apiVersion: '2010-04-01', fromGeo: UNKNOWN_US, toGeo: UNKNOWN_US, ...drawn, ...overrides };
}

/**
 * The standard call parameters of every TwiML request for this call (webhook and action callback):
 * the always-sent ones, the optional ones that are set, the geo params and their legacy
 * `Caller*`/`Called*` twins as real payloads carry them (§5.1).
 */
export function callParams(call: InboundCall, callStatus: string): [string, string][] {
  const params: [string, string][] = [
    ['AccountSid', call.accountSid],
    ['ApiVersion', call.apiVersion],
    ['CallSid', call.callSid],
    ['CallStatus', callStatus],
    ['Called', call.to],
    ['Caller', call.from],
    ['Direction', 'inbound'],
    ['From', call.from],
    ['To', call.to],
  ];
  const optional: [string, string | undefined][] = [
    ['ApplicationSid', call.applicationSid],
    ['CallToken', call.callToken],
    ['CallerName', call.callerName],
    ['ForwardedFrom', call.forwardedFrom],
    ['ParentCallSid', call.parentCallSid],
    ['StirVerstat', call.stirVerstat],
  ];
  for (const [name, value] of optional) if (value !== undefined) params.push([name, value]);
  const geo = (prefix: string, g: CallGeo): [string, string][] => [
    [`${prefix}City`, g.city],
    [`${prefix}State`, g.state],
    [`${prefix}Zip`, g.zip],
    [`${prefix}Country`, g.country],
  ];
  params.push(...geo('From', call.fromGeo), ...geo('Caller', call.fromGeo), ...geo('To', call.toGeo), ...geo('Called', call.toGeo));
  return params;
}
