import protobuf from 'protobufjs';

/**
 * A hand-written protobufjs JSON descriptor of the OTLP trace messages (field numbers from
 * otlp-coval.md §2.1, i.e. opentelemetry-proto's trace.proto, common.proto, resource.proto and
 * trace_service.proto) plus google.rpc.Status for OTLP error bodies. Writing it by hand avoids a
 * codegen step; the numbers are pinned by tests that decode bytes made by the OTel JS SDK.
 */
const KV = '.opentelemetry.proto.common.v1.KeyValue';

/** The descriptor, as accepted by `protobuf.Root.fromJSON`. */
export const OTLP_TRACE_DESCRIPTOR = {
  nested: {
    opentelemetry: { nested: { proto: { nested: {
      common: { nested: { v1: { nested: {
        AnyValue: {
          oneofs: {
            value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue', 'stringValueStrindex'] },
          },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: '.opentelemetry.proto.common.v1.ArrayValue', id: 5 },
            kvlistValue: { type: '.opentelemetry.proto.common.v1.KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
            stringValueStrindex: { type: 'int32', id: 8 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: '.opentelemetry.proto.common.v1.AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: KV, id: 1 } } },
        KeyValue: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: '.opentelemetry.proto.common.v1.AnyValue', id: 2 },
            keyStrindex: { type: 'int32', id: 3 },
          },
        },
        InstrumentationScope: {
          fields: {
            name: { type: 'string', id: 1 },
            version: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: KV, id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
        EntityRef: {
          fields: {
            schemaUrl: { type: 'string', id: 1 },
            type: { type: 'string', id: 2 },
            idKeys: { rule: 'repeated', type: 'string', id: 3 },
            descriptionKeys: { rule: 'repeated', type: 'string', id: 4 },
          },
        },
      } } } },
      resource: { nested: { v1: { nested: {
        Resource: {
          fields: {
            attributes: { rule: 'repeated', type: KV, id: 1 },
            droppedAttributesCount: { type: 'uint32', id: 2 },
            entityRefs: { rule: 'repeated', type: '.opentelemetry.proto.common.v1.EntityRef', id: 3 },
          },
        },
      } } } },
      trace: { nested: { v1: { nested: {
        ResourceSpans: {
          fields: {
            resource: { type: '.opentelemetry.proto.resource.v1.Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: '.opentelemetry.proto.trace.v1.ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: '.opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: '.opentelemetry.proto.trace.v1.Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            flags: { type: 'fixed32', id: 16 },
            name: { type: 'string', id: 5 },
            kind: { type: '.opentelemetry.proto.trace.v1.Span.SpanKind', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: KV, id: 9 },
            droppedAttributesCount: { type: 'uint32', id: 10 },
            events: { rule: 'repeated', type: '.opentelemetry.proto.trace.v1.Span.Event', id: 11 },
            droppedEventsCount: { type: 'uint32', id: 12 },
            links: { rule: 'repeated', type: '.opentelemetry.proto.trace.v1.Span.Link', id: 13 },
            droppedLinksCount: { type: 'uint32', id: 14 },
            status: { type: '.opentelemetry.proto.trace.v1.Status', id: 15 },
          },
          nested: {
            SpanKind: {
              values: {
                SPAN_KIND_UNSPECIFIED: 0,
                SPAN_KIND_INTERNAL: 1,
                SPAN_KIND_SERVER: 2,
                SPAN_KIND_CLIENT: 3,
                SPAN_KIND_PRODUCER: 4,
                SPAN_KIND_CONSUMER: 5,
              },
            },
            Event: {
              fields: {
                timeUnixNano: { type: 'fixed64', id: 1 },
                name: { type: 'string', id: 2 },
                attributes: { rule: 'repeated', type: KV, id: 3 },
                droppedAttributesCount: { type: 'uint32', id: 4 },
              },
            },
            Link: {
              fields: {
                traceId: { type: 'bytes', id: 1 },
                spanId: { type: 'bytes', id: 2 },
                traceState: { type: 'string', id: 3 },
                attributes: { rule: 'repeated', type: KV, id: 4 },
                droppedAttributesCount: { type: 'uint32', id: 5 },
                flags: { type: 'fixed32', id: 6 },
              },
            },
          },
        },
        Status: {
          fields: {
            message: { type: 'string', id: 2 },
            code: { type: '.opentelemetry.proto.trace.v1.Status.StatusCode', id: 3 },
          },
          nested: {
            StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } },
          },
        },
      } } } },
      collector: { nested: { trace: { nested: { v1: { nested: {
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: '.opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
        },
        ExportTraceServiceResponse: {
          fields: { partialSuccess: { type: '.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess', id: 1 } },
        },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
        },
      } } } } } },
    } } } },
    google: { nested: {
      protobuf: { nested: { Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
      rpc: { nested: {
        Status: {
          fields: {
            code: { type: 'int32', id: 1 },
            message: { type: 'string', id: 2 },
            details: { rule: 'repeated', type: '.google.protobuf.Any', id: 3 },
          },
        },
        BadRequest: {
          fields: { fieldViolations: { rule: 'repeated', type: '.google.rpc.BadRequest.FieldViolation', id: 1 } },
          nested: {
            FieldViolation: { fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } } },
          },
        },
      } },
    } },
  },
} as const;

/** The message types the simulator encodes and decodes. */
export interface OtlpProtoTypes {
  readonly ExportTraceServiceRequest: protobuf.Type;
  readonly ExportTraceServiceResponse: protobuf.Type;
  readonly RpcStatus: protobuf.Type;
  readonly BadRequest: protobuf.Type;
}

let cached: OtlpProtoTypes | undefined;

/** The loaded types (built once, on first use). */
export function otlpProtoTypes(): OtlpProtoTypes {
  if (cached) return cached;
  const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR as unknown as protobuf.INamespace);
  cached = {
    ExportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    ExportTraceServiceResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    RpcStatus: root.lookupType('google.rpc.Status'),
    BadRequest: root.lookupType('google.rpc.BadRequest'),
  };
  return cached;
}
