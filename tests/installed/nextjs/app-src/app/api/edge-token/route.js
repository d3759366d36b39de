import { mint } from '../../../lib/mint.js'

export const runtime = 'edge'
export const dynamic = 'force-dynamic'
export const GET = mint
