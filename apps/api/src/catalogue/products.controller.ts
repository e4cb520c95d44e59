import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblem } from '../http/api-problems.decorator.js';
import { ZodBody, ZodParam, ZodQuery } from '../http/zod-params.decorator.js';
import { ZodResponse } from '../http/zod-response.decorator.js';
import { CreateProductRequest, ProductId, ProductList, ProductView } from './products.schemas.js';
import { PageQuery } from '../http/cursor.js';
import { ProductsService } from './products.service.js';

@ApiTags('products')
@Controller('v1/products')
export class ProductsController {
  constructor(@Inject(ProductsService) private readonly service: ProductsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a product (its id is final)' })
  @ZodResponse(201, ProductView)
  @ApiProblem('PRODUCT_EXISTS: the id is taken')
  create(@ZodBody(CreateProductRequest) body: CreateProductRequest): Promise<ProductView> {
    return this.service.create(body);
  }

  @Get()
  @Roles('admin', 'mes')
  @ApiOperation({ summary: 'List products, by id' })
  @ZodResponse(200, ProductList)
  list(@ZodQuery(PageQuery) query: PageQuery): Promise<ProductList> {
    return this.service.list(query);
  }

  @Get(':id')
  @Roles('admin', 'mes')
  @ApiOperation({ summary: 'Read a product' })
  @ZodResponse(200, ProductView)
  @ApiProblem('PRODUCT_NOT_FOUND')
  get(@ZodParam('id', ProductId) id: string): Promise<ProductView> {
    return this.service.get(id);
  }
}
