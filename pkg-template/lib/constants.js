// Public constants, shared by both entries.

/** Coze's China region API base (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';
