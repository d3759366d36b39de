import { mint } from '../../../lib/mint.js'

export const dynamic = 'force-dynamic'
export const GET = mint
