// Public constants, shared by both entries.

/** Coze's China region API base: `https://api.coze.cn` (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base: `https://api.coze.com`. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';

/**
 * An API base URL: {@link COZE_CN_BASE_URL}, {@link COZE_COM_BASE_URL} (both offered by completion),
 * or any other, e.g. a private deployment's. (`string & Record<never, never>` keeps the two
 * offered where `string & {}` would collapse to `string`, e.g. under `NonNullable`.)
 */
export type CozeBaseURL = typeof COZE_CN_BASE_URL | typeof COZE_COM_BASE_URL | (string & Record<never, never>);

/**
 * A consent page (www) base URL: Coze's two (both offered by completion), or any other. The
 * default is derived from the API base (`https://api.coze.cn` → `https://www.coze.cn`).
 */
export type CozeWwwBaseURL = 'https://www.coze.cn' | 'https://www.coze.com' | (string & Record<never, never>);
