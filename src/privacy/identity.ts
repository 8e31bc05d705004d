import { maskText, type ProtectionSettings } from './protect.js';

const userIdSettings = new WeakMap<ProtectionSettings, ProtectionSettings>();

/**
 * The user id as stored: PII found in it (an e-mail sent as OpenAI's `user`, a phone number)
 * is pseudonymised whatever its type's strategy, since attribution, spend by user and erasure
 * need a stable token; a type configured `keep` stays; an opaque id (`u-1234`) is stored as
 * sent. Names are not looked for: a bare account name ("alice") is as much a username as a
 * given name, and hiding every such account would hide who spent what. The same id always
 * gives the same token under one pseudonym key, so `user:ID` finds it again.
 */
export function storedUserId(userId: string, settings: ProtectionSettings): string {
  let derived = userIdSettings.get(settings);
  if (!derived) {
    const kept = Object.entries(settings.strategies).filter(([, strategy]) => strategy === 'keep');
    derived = {
      ...settings,
      scan: { ...settings.scan, names: false },
      strategies: Object.fromEntries(kept),
      defaultStrategy: 'pseudonymise',
    };
    userIdSettings.set(settings, derived);
  }
  return maskText(userId, derived);
}

/** `user:ID` as the store knows it: the id as `storedUserId` stores it; `team:ID` unchanged. */
export function storedSubject(subject: string, settings: ProtectionSettings | undefined): string {
  if (!settings || !subject.startsWith('user:')) return subject;
  return `user:${storedUserId(subject.slice('user:'.length), settings)}`;
}
