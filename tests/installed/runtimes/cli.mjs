// Node, Bun and Deno: runs the jobs once, config as the last argument, results as JSON on stdout.
import process from 'node:process'
import * as lib from 'coze-auth'
import { runJobs } from './jobs.mjs'

console.log(JSON.stringify(await runJobs(lib, JSON.parse(process.argv.at(-1)))))
