import { CONNECTION_PARAMETERS, type DataStore, type EnvironmentNaming } from '@platform/model';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

export type ConnectionFacts<S extends DataStore> = Record<(typeof CONNECTION_PARAMETERS)[S][number], string>;

export interface ConnectionParametersProps<S extends DataStore> {
  readonly naming: EnvironmentNaming;
  readonly serviceName: string;
  readonly store: S;
  readonly facts: ConnectionFacts<S>;
}

/** Publishes how to reach a data store as SSM parameters under the contract's names, for External Secrets. */
export class ConnectionParameters<S extends DataStore> extends Construct {
  public constructor(scope: Construct, id: string, props: ConnectionParametersProps<S>) {
    super(scope, id);
    for (const key of CONNECTION_PARAMETERS[props.store]) {
      new ssm.StringParameter(this, key, {
        parameterName: props.naming.connectionParameterName(props.serviceName, props.store, key),
        stringValue: props.facts[key as keyof ConnectionFacts<S>],
        description: `${props.store} ${key} of ${props.serviceName}`,
      });
    }
  }
}
