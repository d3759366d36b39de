import { PKCEOAuthApp, CozeAuthError } from 'coze-auth'
import { runPage } from '../../shared/page.js'

runPage({ PKCEOAuthApp, CozeAuthError })
