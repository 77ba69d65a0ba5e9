// IP Commons certificate verifier for the browser: the same checks as copyright/verify.py, run
// with WebCrypto only, so a visitor needs to trust neither the server nor this page's origin for
// anything but the published key set. The file is hashed here and never sent anywhere.
//
// The checks are the numbered steps of STEPS, run in order; each fills in what later ones read.
// The first step that fails names the result's failedStep; the steps after it are skipped, and
// a step that does not apply (no file, no registrant signature, no older checkpoint, no witness
// policy) is skipped. Parsing mirrors the Python side byte for byte (Python 3.11 strict base64,
// str.splitlines / str.strip in signed notes, RFC 8785 canonical JSON), so both give one verdict.

export const STEPS = [
  "certificate format",
  "file hash",
  "statement signature",
  "registrant signature",
  "checkpoint signature",
  "inclusion proof",
  "consistency with older checkpoint",
  "witness cosignatures",
];

/**
 * What a step found, in two forms: an English sentence (``reason``, as copyright/verify.py says
 * it) and, where a page can say it in its reader's language, a message key with the values its
 * sentence names (``detail``: {key, values}). Steps without a key keep the English sentence.
 */
class Said {
  constructor(reason, key = null, values = {}) {
    this.reason = reason;
    this.detail = key ? { key, values } : null;
  }
}

/** A check that did not pass; the step loop records it as that step's failure. */
class Refused extends Error {
  constructor(reason, key = null, values = {}) {
    super(reason);
    this.detail = key ? { key, values } : null;
  }
}

/** A step that does not apply to what the verifier was given. */
class Skipped extends Said {}

// --- bytes ------------------------------------------------------------------------------------

const encoder = new TextEncoder();
const utf8 = (text) => encoder.encode(text);

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Base64 exactly as Python 3.11's base64.b64decode(text, validate=True) accepts it: only the
 * alphabet, then '=' padding; 2 data characters left over need "==", 3 need "=", a whole quad
 * may be followed by any run of '='. Unused low bits of the last character are ignored (as there).
 */
export function base64ToBytes(text) {
  const parts = typeof text === "string" ? /^([A-Za-z0-9+/]*)(=*)$/.exec(text) : null;
  if (!parts) throw new Refused("not base64");
  const [, data, padding] = parts;
  const rest = data.length % 4;
  const padded = padding.length === 0 ? rest === 0
    : data.length > 0 && [true, false, padding.length === 2, padding.length === 1][rest];
  if (rest === 1 || !padded) throw new Refused("not base64");
  const out = new Uint8Array(Math.floor((data.length * 6) / 8));
  let bits = 0, value = 0, at = 0;
  for (const ch of data) {
    value = ((value << 6) | B64_ALPHABET.indexOf(ch)) & 0xffff;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[at++] = (value >> bits) & 0xff; }
  }
  return out;
}

// --- hashing, canonical JSON, Ed25519 ---------------------------------------------------------

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** Lowercase hex SHA-256 of a Blob/File, ArrayBuffer or typed array, in one digest call. */
export async function sha256Hex(blobOrBuffer) {
  const data = typeof Blob !== "undefined" && blobOrBuffer instanceof Blob
    ? await blobOrBuffer.arrayBuffer() : blobOrBuffer;
  return toHex(await sha256(data));
}

/**
 * RFC 8785 (JCS): object keys sorted by UTF-16 code units (what Array#sort does on strings),
 * strings and numbers serialised by JSON.stringify, which is what the RFC specifies.
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  if (value === null || typeof value === "string" || typeof value === "boolean"
      || (typeof value === "number" && Number.isFinite(value))) {
    return JSON.stringify(value);
  }
  throw new Refused(`a ${typeof value} has no canonical JSON form`);
}

/** Ed25519 over `message`; false for a malformed key or signature (as keys.verify_signature). */
async function verifyEd25519(publicKey, signature, message) {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let key;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch (err) {
    if (err && err.name === "DataError") return false; // not a point: no signature verifies
    throw err; // NotSupportedError: say so rather than call every signature bad
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

// --- Merkle tree (RFC 9162) -------------------------------------------------------------------

const HASH_SIZE = 32;
const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/**
 * For each hash of a proof path, whether it is a left sibling, walking up from node `fn` of a
 * level whose last node is `sn` (the shared loop of RFC 9162 §2.1.3.2 and §2.1.4.2). BigInt,
 * because JavaScript's bit operators on numbers stop at 32 bits.
 */
function sides(fn, sn, length, what) {
  const out = [];
  for (let i = 0; i < length; i++) {
    if (sn === 0n) throw new Refused(`${what} is longer than the tree sizes allow`);
    const left = (fn & 1n) === 1n || fn === sn;
    if (left && (fn & 1n) === 0n) {
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    }
    out.push(left);
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Refused(`${what} is shorter than the tree sizes require`);
  return out;
}

// Every hash of a proof, leaf or root is 32 bytes (RFC 9162 verifiers refuse anything else).
function checkHashes(what, hashes) {
  hashes.forEach((h, position) => {
    if (h.length !== HASH_SIZE) {
      throw new Refused(`${what} ${position} is ${h.length} bytes, not a ${HASH_SIZE}-byte SHA-256 hash`);
    }
  });
}

/** RFC 9162 §2.1.3.2: `leaf` is at `index` of a tree of `treeSize` with root `expectedRoot`. */
async function verifyInclusion(leaf, index, treeSize, proof, expectedRoot) {
  checkHashes("leaf and root hash", [leaf, expectedRoot]);
  checkHashes("proof hash", proof);
  if (!(index >= 0n && index < treeSize)) {
    throw new Refused(`index ${index} is outside a tree of size ${treeSize}`);
  }
  const left = sides(index, treeSize - 1n, proof.length, "inclusion proof");
  let r = leaf;
  for (let i = 0; i < proof.length; i++) {
    r = left[i] ? await nodeHash(proof[i], r) : await nodeHash(r, proof[i]);
  }
  if (!equalBytes(r, expectedRoot)) {
    throw new Refused("inclusion proof does not lead to the checkpoint's root hash", "inclusionBad");
  }
}

/** RFC 9162 §2.1.4.2: the tree of `secondSize` extends the tree of `firstSize`. */
async function verifyConsistency(firstSize, secondSize, firstRoot, secondRoot, proof) {
  checkHashes("root hash", [firstRoot, secondRoot]);
  checkHashes("proof hash", proof);
  if (firstSize < 0n) throw new Refused("a tree size cannot be negative");
  if (firstSize > secondSize) throw new Refused("the older checkpoint is larger than the newer one");
  if (firstSize === secondSize) {
    if (proof.length) throw new Refused("a proof between equal sizes must be empty");
    if (!equalBytes(firstRoot, secondRoot)) throw new Refused("two checkpoints of the same size have different roots");
    return;
  }
  if (firstSize === 0n) {
    if (proof.length) throw new Refused("a proof from the empty tree must be empty");
    return;
  }
  const path = [...proof];
  if ((firstSize & (firstSize - 1n)) === 0n) path.unshift(firstRoot); // a power of two: the old root starts the path
  if (!path.length) throw new Refused("consistency proof is empty");
  let fn = firstSize - 1n, sn = secondSize - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  const left = sides(fn, sn, path.length - 1, "consistency proof");
  let fr = path[0], sr = path[0];
  for (let i = 1; i < path.length; i++) {
    if (left[i - 1]) {
      fr = await nodeHash(path[i], fr);
      sr = await nodeHash(path[i], sr);
    } else {
      sr = await nodeHash(sr, path[i]);
    }
  }
  if (!equalBytes(fr, firstRoot)) throw new Refused("consistency proof does not reproduce the older root");
  if (!equalBytes(sr, secondRoot)) throw new Refused("consistency proof does not reproduce the newer root");
}

// --- checkpoints: C2SP tlog-checkpoint in a C2SP signed note ----------------------------------

const EM_DASH = "\u2014";
// C2SP tlog-checkpoint: the size is ASCII decimal without leading zeros (not "007", not "٢").
const SIZE = /^(?:0|[1-9][0-9]{0,19})$/;
// Python's str.splitlines() boundaries and str.isspace() characters: the signature block is
// read as checkpoint.parse reads it, so a note both sides accept is the same note.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
const BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/**
 * {checkpoint: {origin, size (BigInt), root}, signatures: [{name, keyId, signature}], body}, as
 * checkpoint.parse: the signatures follow the note's *last* blank line; a final newline is required.
 */
function parseCheckpoint(note) {
  const split = typeof note === "string" ? note.lastIndexOf("\n\n") : -1;
  if (split < 0 || !note.endsWith("\n")) {
    throw new Refused("not a signed note: no blank line before the signatures, or no final newline");
  }
  const body = `${note.slice(0, split)}\n`;
  const lines = body.split("\n");
  if (lines.length < 4 || !lines[0]) throw new Refused("a checkpoint needs origin, tree size and root hash lines");
  const [origin, sizeText, rootText] = lines;
  if (!SIZE.test(sizeText)) {
    throw new Refused(`tree size is not a decimal number without leading zeros: ${JSON.stringify(sizeText)}`);
  }
  const root = refine(() => base64ToBytes(rootText), "root hash is not base64");
  if (root.length !== HASH_SIZE) throw new Refused("root hash is not 32 bytes");
  const signatures = [];
  for (const line of note.slice(split + 2).split(LINE_BREAK)) {
    if (BLANK.test(line)) continue;
    if (!line.startsWith(`${EM_DASH} `)) throw new Refused(`not a signature line: ${JSON.stringify(line.slice(0, 40))}`);
    const parts = line.slice(2).split(" ");
    if (parts.length !== 2) throw new Refused("a signature line is '— <name> <base64>'");
    const blob = refine(() => base64ToBytes(parts[1]), "signature is not base64");
    if (blob.length !== 68 && blob.length !== 76) { // key ID + signature; a cosignature adds an 8-byte timestamp
      throw new Refused("an Ed25519 signature line carries 4 + 64 bytes (4 + 8 + 64 for a cosignature)");
    }
    signatures.push({ name: parts[0], keyId: blob.slice(0, 4), signature: blob.slice(4) });
  }
  if (!signatures.length) throw new Refused("the checkpoint is not signed");
  return { checkpoint: { origin, size: BigInt(sizeText), root }, signatures, body };
}

// A refusal with a more specific reason than the helper's.
function refine(fn, reason) {
  try { return fn(); } catch (err) {
    if (err instanceof Refused) throw new Refused(reason);
    throw err;
  }
}

const trustKey = (name, keyId) => JSON.stringify([name, toHex(keyId)]);

/**
 * The checkpoint, if a key of `trusted` ((name, key id) -> public key) signed it; a bad signature
 * by a trusted key is refused even when another verifies: it is an attack, not noise.
 */
async function verifyCheckpoint(note, trusted, origin = null) {
  const { checkpoint, signatures, body } = parseCheckpoint(note);
  if (origin !== null && origin !== undefined && checkpoint.origin !== origin) {
    throw new Refused(`checkpoint is for log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(origin)}`);
  }
  const known = signatures.filter((s) => trusted.has(trustKey(s.name, s.keyId)));
  if (!known.length) throw new Refused("no signature by a key in the published key set", "checkpointUnsigned");
  for (const s of known) {
    if (!await verifyEd25519(trusted.get(trustKey(s.name, s.keyId)), s.signature, utf8(body))) {
      throw new Refused(`the checkpoint signature by ${JSON.stringify(s.name)} does not verify`, "checkpointSignatureBad",
        { name: s.name });
    }
  }
  return checkpoint;
}

// --- the key set and witnesses ----------------------------------------------------------------

const ED25519_ALG = 0x01;
const ED25519_COSIGNATURE = 0x04;

// C2SP signed-note key ids: SHA-256(name || "\n" || algorithm || public key)[:4].
async function noteKeyId(name, algorithm, publicKey) {
  return (await sha256(concat(utf8(`${name}\n`), Uint8Array.of(algorithm), publicKey))).slice(0, 4);
}

/**
 * (name, key id) -> public key for every key of the published set. The key id is derived here
 * from name and key, and a set whose stated key_id differs is refused: the id is not taken on trust.
 */
async function trustedKeys(keySet) {
  const set = typeof keySet === "string" ? JSON.parse(keySet) : keySet;
  if (!isObject(set) || !Array.isArray(set.keys)) throw new Refused("the key set has no list of keys");
  const trusted = new Map();
  for (const key of set.keys) {
    if (!isObject(key) || typeof key.name !== "string" || typeof key.key_id !== "string") {
      throw new Refused("a key of the key set has no name or key_id");
    }
    const publicKey = refine(() => base64ToBytes(key.public_key), "a public key of the key set is not base64");
    const keyId = await noteKeyId(key.name, ED25519_ALG, publicKey);
    if (toHex(keyId) !== key.key_id.toLowerCase()) {
      throw new Refused(`the key set lists key ${key.key_id} for ${JSON.stringify(key.name)}, whose key id is ${toHex(keyId)}`);
    }
    trusted.set(trustKey(key.name, keyId), publicKey);
  }
  return trusted;
}

/** {witnesses: Map(name -> key), quorum}, as WitnessPolicy.from_json reads the policy JSON. */
function parsePolicy(policy) {
  let data;
  try { data = typeof policy === "string" ? JSON.parse(policy) : policy; } catch (err) {
    throw new Refused(`not a witness policy: ${err.message}`);
  }
  if (!isObject(data) || !Array.isArray(data.witnesses) || !Number.isInteger(data.quorum)) {
    throw new Refused("not a witness policy: it needs a list of witnesses and an integer quorum");
  }
  const witnesses = new Map();
  for (const w of data.witnesses) {
    if (!isObject(w) || typeof w.name !== "string") throw new Refused("not a witness policy: a witness has no name");
    witnesses.set(w.name, refine(() => base64ToBytes(w.public_key), "not a witness policy: a key is not base64"));
  }
  if (!(data.quorum >= 1 && data.quorum <= witnesses.size) || [...witnesses.values()].some((k) => k.length !== 32)) {
    throw new Refused("a witness policy needs 32-byte keys and a quorum between 1 and their number");
  }
  return { witnesses, quorum: data.quorum };
}

/**
 * The names of the known witnesses whose cosignatures (C2SP tlog-cosignature v1) of `note`
 * verify; refused when they are fewer than the quorum or a known witness's cosignature is bad.
 */
async function verifyQuorum(note, policy) {
  const { signatures, body } = parseCheckpoint(note);
  const expected = new Map();
  for (const [name, key] of policy.witnesses) {
    expected.set(trustKey(name, await noteKeyId(name, ED25519_COSIGNATURE, key)), key);
  }
  const good = new Set();
  for (const s of signatures) {
    const key = expected.get(trustKey(s.name, s.keyId));
    if (key === undefined) continue; // the log's own signature, or a witness this policy does not know
    const timestamp = new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0);
    const message = utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
    if (!await verifyEd25519(key, s.signature.slice(8), message)) {
      throw new Refused(`the cosignature by witness ${JSON.stringify(s.name)} does not verify`);
    }
    good.add(s.name);
  }
  if (good.size < policy.quorum) throw new Refused(`${good.size} of the required ${policy.quorum} witness cosignatures`);
  return [...good].sort();
}

// --- the steps --------------------------------------------------------------------------------

const text = (v) => (typeof v === "string" ? v : JSON.stringify(v));

/** What this verifier reads (copyright/verify.py's CERTIFICATE_FORMAT). */
export const CERTIFICATE_FORMAT = "ipcommons-certificate/1";

/** 1. A certificate of this format, with every field the later steps read, of the right type. */
function step1CertificateFormat(c) {
  let cert;
  try { cert = typeof c.certificate === "string" ? JSON.parse(c.certificate) : c.certificate; } catch (err) {
    throw new Refused(`the certificate is not JSON (${err.message})`);
  }
  const found = isObject(cert) && has(cert, "format") ? cert.format : null;
  if (found !== CERTIFICATE_FORMAT) {
    throw new Refused(`the certificate's format is ${JSON.stringify(found)}, not ${JSON.stringify(CERTIFICATE_FORMAT)}`,
      "formatUnknown", { format: JSON.stringify(found), expected: CERTIFICATE_FORMAT });
  }
  const missing = (what) => new Refused(`missing or malformed field (${what})`, "missingField", { field: what });
  if (!isObject(cert.statement)) throw missing("statement");
  if (!Array.isArray(cert.signatures) || !isObject(cert.signatures[0])) throw missing("signatures");
  const statement = cert.statement, entry = cert.log;
  if (!isObject(entry)) throw missing("log");
  if (!has(statement, "number")) throw missing("statement.number");
  if (!isObject(statement.content) || !has(statement.content, "sha256")) throw missing("statement.content.sha256");
  for (const field of ["index", "tree_size"]) {
    if (!Number.isSafeInteger(entry[field])) throw missing(`log.${field} is not an integer`);
  }
  if (!Array.isArray(entry.inclusion_proof)) throw missing("log.inclusion_proof is not a list");
  if (!has(entry, "checkpoint")) throw missing("log.checkpoint");
  Object.assign(c, {
    statement, signature: cert.signatures[0], number: text(statement.number), sha256: text(statement.content.sha256),
    index: entry.index, treeSize: entry.tree_size, inclusionProof: entry.inclusion_proof, note: text(entry.checkpoint),
  });
  return new Said("all fields are present", "fieldsPresent");
}

/** 2. The file (or the SHA-256 the caller computed) is the registered content. */
async function step2FileHash(c) {
  const hashes = [];
  if (c.given.sha256 !== null && c.given.sha256 !== undefined) hashes.push(c.given.sha256);
  if (c.given.file !== null && c.given.file !== undefined) hashes.push(await sha256Hex(c.given.file));
  if (!hashes.length) return new Skipped("no file given", "noFile");
  for (const actual of hashes) {
    if (actual !== c.sha256) {
      throw new Refused(`the file's SHA-256 ${actual} is not the registered ${c.sha256}`, "fileHashDiffers",
        { actual, sha256: c.sha256 });
    }
  }
  return new Said(`the file's SHA-256 is the registered ${c.sha256}`, "fileHashMatches", { sha256: c.sha256 });
}

// A time as the registry writes it (ISO 8601); one without a zone is UTC, as in copyright/verify.py.
const instant = (value) => Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);

/** A retired key signs nothing after its retirement: a statement dated later is refused. */
function checkKeyInService(c, keySet, keyId) {
  const key = keySet.keys.find((k) => isObject(k) && String(k.key_id).toLowerCase() === keyId.toLowerCase());
  const when = c.statement.time;
  if (!key || key.retired_at === null || key.retired_at === undefined || typeof when !== "string") return;
  const signed = instant(when), retired = typeof key.retired_at === "string" ? instant(key.retired_at) : NaN;
  if (Number.isNaN(signed)) throw new Refused(`the statement's time ${JSON.stringify(when)} is not a time`);
  if (Number.isNaN(retired)) throw new Refused(`key ${key.key_id} has a retirement time that is not a time`);
  if (signed > retired) {
    throw new Refused(`key ${key.key_id} was retired at ${key.retired_at}, before the statement's time ${when}`,
      "keyRetired", { key: key.key_id, retired: String(key.retired_at), time: when });
  }
}

/**
 * 3. The platform signed this statement with a key of the published key set: the set of this
 * statement's log, and a key not yet retired at the statement's time.
 */
async function step3StatementSignature(c) {
  const keySet = typeof c.given.keySet === "string" ? JSON.parse(c.given.keySet) : c.given.keySet;
  const origin = has(c.statement, "origin") ? c.statement.origin : null;
  if (!isObject(keySet) || keySet.origin !== origin) {
    const theirs = isObject(keySet) ? keySet.origin : undefined;
    throw new Refused(`the key set is for log ${JSON.stringify(theirs ?? null)}, the certificate's is ${JSON.stringify(origin)}`,
      "keySetOfAnotherLog", { keys: JSON.stringify(theirs ?? null), origin: JSON.stringify(origin) });
  }
  c.trusted = await trustedKeys(keySet);
  const byId = new Map();
  for (const [k, publicKey] of c.trusted) byId.set(JSON.parse(k)[1], publicKey);
  const keyId = text(c.signature.key_id);
  const publicKey = byId.get(keyId);
  if (publicKey === undefined) throw new Refused(`key ${keyId} is not in the published key set`, "keyUnknown", { key: keyId });
  checkKeyInService(c, keySet, keyId);
  c.data = utf8(canonicalJson(c.statement));
  const signature = base64ToBytes(has(c.signature, "signature") ? c.signature.signature : "");
  if (!await verifyEd25519(publicKey, signature, c.data)) {
    throw new Refused("the platform signature does not match the statement", "platformSignatureBad");
  }
  return new Said(`signed by key ${keyId}`, "signedByKey", { key: keyId });
}

/** 4. The registrant's own key signed the claim (only for registrations that carry one). */
async function step4RegistrantSignature(c) {
  if (!has(c.statement, "registrant")) {
    return new Skipped("the registration carries no registrant signature", "noRegistrantSignature");
  }
  const registrant = c.statement.registrant;
  if (!isObject(registrant)) throw new Refused("the registrant field is not an object");
  const field = (obj, key) => (has(obj, key) ? obj[key] : null);
  const claim = { work: field(c.statement, "work"), content: field(c.statement, "content") };
  const publicKey = base64ToBytes(field(registrant, "public_key"));
  const signature = base64ToBytes(field(registrant, "signature"));
  if (!await verifyEd25519(publicKey, signature, utf8(canonicalJson(claim)))) {
    throw new Refused("the registrant's signature does not match the claim", "registrantSignatureBad");
  }
  return new Said("the registrant's key signed the work and its hash", "registrantSigned");
}

/** 5. A trusted key signed the checkpoint of this log, for the tree size the proof is for. */
async function step5CheckpointSignature(c) {
  const origin = has(c.statement, "origin") ? c.statement.origin : null;
  const cp = c.checkpoint = await verifyCheckpoint(c.note, c.trusted, origin);
  if (cp.size !== BigInt(c.treeSize)) {
    throw new Refused(`the checkpoint is for size ${cp.size}, the proof for size ${c.treeSize}`);
  }
  return new Said(`log ${cp.origin}, size ${cp.size}`, "checkpointOf", { origin: cp.origin, size: String(cp.size) });
}

/** 6. The statement is the log entry at its index under the checkpoint's root hash. */
async function step6InclusionProof(c) {
  const proof = c.inclusionProof.map(base64ToBytes);
  await verifyInclusion(await leafHash(c.data), BigInt(c.index), BigInt(c.treeSize), proof, c.checkpoint.root);
  return new Said(`entry ${c.index} of ${c.treeSize}`, "entryOf", { index: c.index, size: c.treeSize });
}

/** 7. The log only grew since an older checkpoint the verifier kept (only when one is given). */
async function step7ConsistencyWithOlderCheckpoint(c) {
  const { olderCheckpoint, consistencyProof } = c.given;
  if (olderCheckpoint === null || olderCheckpoint === undefined) {
    return new Skipped("no older checkpoint given", "noOlderCheckpoint");
  }
  if (typeof olderCheckpoint !== "string") throw new Refused("the older checkpoint is not text");
  if (consistencyProof !== null && consistencyProof !== undefined && !Array.isArray(consistencyProof)) {
    throw new Refused("the consistency proof is not a list of hashes");
  }
  const old = await verifyCheckpoint(olderCheckpoint, c.trusted, c.checkpoint.origin);
  const proof = (consistencyProof || []).map(base64ToBytes);
  await verifyConsistency(old.size, c.checkpoint.size, old.root, c.checkpoint.root, proof);
  return new Said(`size ${c.checkpoint.size} extends size ${old.size}`, "extendsOlder",
    { size: String(c.checkpoint.size), older: String(old.size) });
}

/** 8. Enough witnesses of the policy cosigned the checkpoint (only when a policy is given). */
async function step8WitnessCosignatures(c) {
  if (c.given.policy === null || c.given.policy === undefined) return new Skipped("no witness policy given", "noPolicy");
  const names = await verifyQuorum(c.note, parsePolicy(c.given.policy));
  return new Said(`cosigned by ${names.join(", ")}`, "cosignedBy", { names: names.join(", ") });
}

const STEP_FUNCTIONS = [
  step1CertificateFormat, step2FileHash, step3StatementSignature, step4RegistrantSignature,
  step5CheckpointSignature, step6InclusionProof, step7ConsistencyWithOlderCheckpoint, step8WitnessCosignatures,
];

/**
 * Verify a certificate (object or JSON text) against the published key set, optionally with the
 * file (Blob/File or buffer) or its SHA-256, an older checkpoint with a consistency proof (base64
 * hashes), and a witness policy ({quorum, witnesses: [{name, public_key}]}, object or JSON text).
 */
export async function verifyCertificate({
  certificate, keySet, file = null, sha256 = null, olderCheckpoint = null, consistencyProof = null, policy = null,
} = {}) {
  const c = { certificate, given: { keySet, file, sha256, olderCheckpoint, consistencyProof, policy } };
  const steps = [];
  let failed = null;
  for (const [i, name] of STEPS.entries()) {
    if (failed) {
      steps.push({
        name, status: "skipped", reason: `not checked: "${failed.name}" failed`,
        detail: { key: "notChecked", values: { step: failed.name } },
      });
      continue;
    }
    try {
      const outcome = await STEP_FUNCTIONS[i](c);
      steps.push({ name, status: outcome instanceof Skipped ? "skipped" : "passed", reason: outcome.reason,
        detail: outcome.detail });
    } catch (err) { // a refusal, or anything unexpected: fail closed, naming the step
      const refused = err instanceof Refused;
      failed = { name, reason: refused ? err.message : `${err && err.name}: ${err && err.message}` };
      steps.push({ name, status: "failed", reason: failed.reason, detail: refused ? err.detail : null });
    }
  }
  return {
    valid: failed === null,
    number: c.number ?? null,
    sha256: c.sha256 ?? null,
    treeSize: c.treeSize ?? null,
    steps,
    failedStep: failed ? failed.name : null,
    reason: failed ? failed.reason : null,
  };
}
