import { hexToBytes } from './ids.ts';
import type { OtlpAnyValue, OtlpKeyValue, OtlpRequest, OtlpSpan } from './model.ts';
import { otlpProtoTypes } from './otlp-descriptor.ts';

/** The low/high bit pair protobufjs's writer accepts for 64-bit fields. */
function long(v: bigint, unsigned: boolean): { low: number; high: number; unsigned: boolean } {
  const u = BigInt.asUintN(64, v);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned };
}

function anyValue(v: OtlpAnyValue): object {
  switch (v.type) {
    case 'empty':
      return {};
    case 'string':
      return { stringValue: v.value };
    case 'bool':
      return { boolValue: v.value };
    case 'int':
      return { intValue: long(v.value, false) };
    case 'double':
      return { doubleValue: v.value };
    case 'bytes':
      return { bytesValue: Buffer.from(v.value, 'base64') };
    case 'array':
      return { arrayValue: { values: v.values.map(anyValue) } };
    case 'kvlist':
      return { kvlistValue: { values: attrs(v.values) } };
  }
}

function attrs(list: readonly OtlpKeyValue[]): object[] {
  return list.map((kv) => ({ key: kv.key, value: anyValue(kv.value) }));
}

function span(s: OtlpSpan): object {
  return {
    traceId: hexToBytes(s.traceId),
    spanId: hexToBytes(s.spanId),
    traceState: s.traceState,
    parentSpanId: hexToBytes(s.parentSpanId),
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: long(s.startTimeUnixNano, true),
    endTimeUnixNano: long(s.endTimeUnixNano, true),
    attributes: attrs(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({ timeUnixNano: long(e.timeUnixNano, true), name: e.name, attributes: attrs(e.attributes), droppedAttributesCount: e.droppedAttributesCount })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: hexToBytes(l.traceId),
      spanId: hexToBytes(l.spanId),
      traceState: l.traceState,
      attributes: attrs(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      flags: l.flags,
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: s.status.code === 0 && s.status.message === '' ? undefined : { code: s.status.code, message: s.status.message },
  };
}

/** Writes a normalised request as binary OTLP protobuf (application/x-protobuf). */
export function encodeOtlpProtobuf(request: OtlpRequest): Uint8Array {
  const message = {
    resourceSpans: request.resourceSpans.map((rs) => ({
      resource: { attributes: attrs(rs.resource.attributes), droppedAttributesCount: rs.resource.droppedAttributesCount },
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: { name: ss.scope.name, version: ss.scope.version, attributes: attrs(ss.scope.attributes), droppedAttributesCount: ss.scope.droppedAttributesCount },
        spans: ss.spans.map(span),
        schemaUrl: ss.schemaUrl,
      })),
      schemaUrl: rs.schemaUrl,
    })),
  };
  return otlpProtoTypes().ExportTraceServiceRequest.encode(message).finish();
}
