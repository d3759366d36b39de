// Public constants, shared by both entries.

/** Coze's China region API base: `https://api.coze.cn` (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base: `https://api.coze.com`. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';
