import type { Browser } from 'puppeteer-core';

export const CHROMIUM: string;
export function chromiumMissing(): string | null;
export function launchChromium(): Promise<{ readonly browser: Browser; close(): Promise<void> }>;
