import type { Branding } from '../connectors/common-definition.js';
import { type Messages, interpolate } from './locales.js';
import { contrastingText, optionalLine, safeColor, safeLogoUrl } from './sanitize.js';

/** Shared pieces of the email and page view models. */

export const DEFAULT_PRIMARY = '#0b5cad';
export const DEFAULT_TEXT = '#1f2328';
const DEFAULT_ORGANISATION = 'IT Service Desk';

export interface BrandingView {
  organisationName: string;
  logoUrl: string | null;
  primaryColor: string;
  textColor: string;
  /** White or near-black, whichever reads better on primaryColor. */
  buttonTextColor: string;
}

export function brandingView(branding: Branding): BrandingView {
  const primaryColor = safeColor(branding.primaryColor, DEFAULT_PRIMARY);
  return {
    organisationName: optionalLine(branding.organisationName, 100) ?? DEFAULT_ORGANISATION,
    logoUrl: safeLogoUrl(branding.logoUrl),
    primaryColor,
    textColor: safeColor(branding.textColor, DEFAULT_TEXT),
    buttonTextColor: contrastingText(primaryColor),
  };
}

export interface TicketView {
  key: string | null;
  title: string | null;
}

export function ticketView(ticket: { key: string | null; title: string | null }): TicketView {
  return { key: optionalLine(ticket.key, 100), title: optionalLine(ticket.title, 200) };
}

/** `INC0012345 “Laptop does not start”`, the key or the title alone, or null when neither is known. */
export function ticketReference(messages: Messages, ticket: TicketView): string | null {
  if (ticket.key && ticket.title) return interpolate(messages.ticket.withKeyAndTitle, { key: ticket.key, title: ticket.title });
  if (ticket.key) return interpolate(messages.ticket.keyOnly, { key: ticket.key });
  if (ticket.title) return interpolate(messages.ticket.titleOnly, { title: ticket.title });
  return null;
}

export function personName(name: string | null): string | null {
  return optionalLine(name, 100);
}

/** Rating URL for one value: `${surveyUrl}?r=${n}`. */
export function ratingUrl(surveyUrl: string, value: number): string {
  return `${surveyUrl}${surveyUrl.includes('?') ? '&' : '?'}r=${value}`;
}

