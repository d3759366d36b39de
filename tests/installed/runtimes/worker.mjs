// A module Worker (workerd; edge-runtime after bundling): POST the jobs' config, get the results.
import * as lib from 'coze-auth'
import { runJobs } from './jobs.mjs'

export default {
  async fetch (request) {
    return Response.json(await runJobs(lib, await request.json()))
  }
}
