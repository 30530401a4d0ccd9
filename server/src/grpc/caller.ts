// Who a call comes from, for job ownership: the API key it presented (by digest, never the key itself), or,
// on a server without keys, its network address. Admin keys see and cancel every caller's jobs.
import { createHash } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { presentedKey } from './auth.js';

export interface Caller {
  /** Stable id a job is owned by: "key:<digest prefix>" or "peer:<address>". */
  readonly owner: string;
  readonly admin: boolean;
}

/** Without keys: `address` = one owner per client host, `connection` = one per client connection (address and port). */
export type AnonymousOwner = 'address' | 'connection';

const keyId = (key: string): string => `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

/** "ipv4:10.0.0.7:51234" → "ipv4:10.0.0.7"; "ipv6:[::1]:51234" → "ipv6:[::1]"; other forms as they are. */
function withoutPort(peer: string): string {
  const match = /^(ipv4:[^:]+|ipv6:\[[^\]]+\]):\d+$/.exec(peer);
  return match ? match[1] : peer;
}

export class CallerIdentity {
  private readonly adminIds: ReadonlySet<string>;

  constructor(
    private readonly keysConfigured: boolean,
    adminKeys: readonly string[],
    private readonly anonymous: AnonymousOwner,
  ) {
    this.adminIds = new Set(adminKeys.map(keyId));
  }

  /** The auth interceptor has already let only known keys through when keys are configured. */
  of(call: { metadata: Metadata; getPeer(): string }): Caller {
    const key = this.keysConfigured ? presentedKey(call.metadata) : undefined;
    if (key) {
      const owner = keyId(key);
      return { owner, admin: this.adminIds.has(owner) };
    }
    const peer = call.getPeer();
    return { owner: `peer:${this.anonymous === 'connection' ? peer : withoutPort(peer)}`, admin: false };
  }
}
