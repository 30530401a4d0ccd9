// API-key check for the TryOn service, as a server interceptor: `authorization: Bearer <key>` or
// `x-api-key: <key>`. Health and reflection stay open (load balancers and grpcurl need them).
import { timingSafeEqual, createHash } from 'node:crypto';
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { toServiceError } from './errors.js';

const PROTECTED_PREFIX = '/tryon.v1.TryOn/';

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The key a call presents, or undefined. */
export function presentedKey(metadata: Metadata): string | undefined {
  const auth = metadata.get('authorization')[0];
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  const apiKey = metadata.get('x-api-key')[0];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

export class ApiKeyCheck {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** Constant-time over equal-length digests, so timing says nothing about the keys. */
  accepts(key: string | undefined): boolean {
    if (!this.enabled) return true;
    if (!key) return false;
    const presented = digest(key);
    return this.digests.some((d) => timingSafeEqual(d, presented));
  }

  interceptor(onRejected: (method: string) => void = () => {}): ServerInterceptor {
    return (methodDescriptor, call) =>
      new ServerInterceptingCall(call, {
        start: (next) => {
          next({
            onReceiveMetadata: (metadata, passOn) => {
              if (!methodDescriptor.path.startsWith(PROTECTED_PREFIX) || this.accepts(presentedKey(metadata))) {
                passOn(metadata);
                return;
              }
              onRejected(methodDescriptor.path);
              const refusal = toServiceError({
                code: status.UNAUTHENTICATED,
                details: 'missing or unknown API key; send "authorization: Bearer <key>" or "x-api-key: <key>" metadata',
                reason: 'UNAUTHENTICATED',
              });
              call.sendStatus({ code: status.UNAUTHENTICATED, details: refusal.details ?? '', metadata: refusal.metadata ?? new Metadata() });
            },
          });
        },
      });
  }
}
