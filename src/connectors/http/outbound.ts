import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import type { HostPolicy } from './host-policy.js';

/**
 * The one HTTP client factory for calls to an ITSM (its REST API and its OAuth token endpoint): every
 * request, whatever its URL (relative to the base, or absolute), is checked against ITSM_ALLOWED_HOSTS
 * before it is sent, and refused with HostNotAllowedError otherwise. Redirects are never followed, so a
 * permitted host cannot bounce a call (and its credentials) elsewhere.
 */
export function outboundHttp(policy: HostPolicy | undefined, defaults: CreateAxiosDefaults = {}): AxiosInstance {
  const instance = axios.create({ ...defaults, maxRedirects: 0 });
  instance.interceptors.request.use((config) => {
    policy?.check(instance.getUri(config));
    return config;
  });
  return instance;
}
