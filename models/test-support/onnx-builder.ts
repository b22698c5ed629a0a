/*
 * Builds tiny ONNX models in memory for the tests, so that they need neither Python nor fixture
 * files: a minimal protobuf writer for the part of onnx.proto a graph of a few nodes uses
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
 */

/** An input or output: name, element type and shape (a string is a free dimension). */
export interface ValueSpec {
  name: string;
  type: 'float32' | 'int32' | 'int64';
  shape: Array<number | string>;
}

/** A constant tensor (weights). */
export interface InitializerSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  values: number[];
}

/** One operator, as in the ONNX operator list. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number | number[]>;
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: InitializerSpec[];
  nodes: NodeSpec[];
  opset?: number;
}

const ELEMENT_TYPES = { float32: 1, int32: 6, int64: 7 } as const;

/** The bytes of an ONNX model file for the graph. */
export function buildOnnxModel(graph: GraphSpec): Uint8Array {
  const graphBytes = message([
    ...graph.nodes.map((node, i) => field(1, nodeProto(node, i))),
    stringField(2, 'test-graph'),
    ...(graph.initializers ?? []).map((initializer) => field(5, tensorProto(initializer))),
    ...graph.inputs.map((value) => field(11, valueInfo(value))),
    ...graph.outputs.map((value) => field(12, valueInfo(value))),
  ]);
  return message([
    varintField(1, 8), // ir_version
    stringField(2, 'tokenfold-tests'),
    field(7, graphBytes),
    field(8, message([stringField(1, ''), varintField(2, graph.opset ?? 13)])),
  ]);
}

function nodeProto(node: NodeSpec, index: number): Uint8Array {
  return message([
    ...node.inputs.map((name) => stringField(1, name)),
    ...node.outputs.map((name) => stringField(2, name)),
    stringField(3, `node${index}`),
    stringField(4, node.op),
    ...Object.entries(node.attributes ?? {}).map(([name, value]) =>
      field(
        5,
        Array.isArray(value)
          ? message([stringField(1, name), ...value.map((item) => varintField(8, item)), varintField(20, 7)])
          : Number.isInteger(value)
            ? message([stringField(1, name), varintField(3, value), varintField(20, 2)])
            : message([stringField(1, name), float32Field(2, value), varintField(20, 1)]),
      ),
    ),
  ]);
}

function tensorProto(tensor: InitializerSpec): Uint8Array {
  const raw =
    tensor.type === 'float32'
      ? new Uint8Array(Float32Array.from(tensor.values).buffer)
      : new Uint8Array(BigInt64Array.from(tensor.values, (value) => BigInt(value)).buffer);
  return message([
    ...tensor.dims.map((dim) => varintField(1, dim)),
    varintField(2, ELEMENT_TYPES[tensor.type]),
    stringField(8, tensor.name),
    field(9, raw),
  ]);
}

function valueInfo(value: ValueSpec): Uint8Array {
  const dims = value.shape.map((dim) => field(1, typeof dim === 'number' ? message([varintField(1, dim)]) : message([stringField(2, dim)])));
  const tensorType = message([varintField(1, ELEMENT_TYPES[value.type]), field(2, message(dims))]);
  return message([stringField(1, value.name), field(2, message([field(1, tensorType)]))]);
}

// Protobuf wire format: tag = field << 3 | wire type; 0 varint, 2 length-delimited, 5 fixed32.
function message(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, BigInt(value));
  do {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest ? byte | 0x80 : byte);
  } while (rest);
  return bytes;
}

function varintField(number: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(number << 3), ...varint(value)]);
}

function field(number: number, bytes: Uint8Array): Uint8Array {
  return message([Uint8Array.from([...varint((number << 3) | 2), ...varint(bytes.length)]), bytes]);
}

function stringField(number: number, text: string): Uint8Array {
  return field(number, new TextEncoder().encode(text));
}

function float32Field(number: number, value: number): Uint8Array {
  return message([Uint8Array.from(varint((number << 3) | 5)), new Uint8Array(Float32Array.of(value).buffer)]);
}
